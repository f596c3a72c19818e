#!/usr/bin/env python3
"""Turns the JMH JSON results of the Storage Matrix benchmarks into the Markdown tables of
benchmarks/README.md: throughput in MB/s (10^6 bytes/s), the ratio to the raw memory device
measured in the same run, the targets of issue 2, and, given a second file from a
`-prof gc` run, allocation per operation.

usage: report.py RESULTS.json [GC_RESULTS.json]
"""
import json
import sys

PKG = "io.coems.benchmarks.matrix."
KIB64 = 65536


def key(result):
    name = result["benchmark"].removeprefix(PKG)
    params = result.get("params", {})
    return name, params


def bytes_per_op(name, params):
    cls, method = name.split(".")
    if cls == "RawDeviceBenchmark":
        return int(params["size"])
    if cls in ("RaidBenchmark", "DegradedReadBenchmark"):
        return KIB64
    if cls == "FullStripeWriteBenchmark":
        data_chunks = {"RAID5": 3, "RAID6": 3}[params["layout"]]  # 4 and 5 members, stripe unit 1
        return data_chunks * KIB64
    if cls == "ParityKernelBenchmark":
        return {"xorP4": 4 * KIB64, "syndromesPQ4": 4 * KIB64, "xorInto": KIB64}[method]
    raise SystemExit(f"report.py: no bytes-per-operation rule for {name}")


def baseline_of(name, params):
    """(name, params) of the result this one is compared with, or None."""
    cls, method = name.split(".")
    op = "write" if method == "write" else "read"
    raw = lambda size: (f"RawDeviceBenchmark.{op}", {"kind": "MEMORY", "size": str(size)})
    if cls == "RawDeviceBenchmark":
        return None if params["kind"] == "MEMORY" else raw(params["size"])
    if cls in ("RaidBenchmark", "FullStripeWriteBenchmark", "DegradedReadBenchmark"):
        return raw(KIB64)
    return None


def label(name, params):
    shown = " ".join(str(v) for v in params.values())
    return f"{name} {shown}".strip()


def main():
    results = json.load(open(sys.argv[1]))
    rows = {}
    for r in results:
        name, params = key(r)
        m = r["primaryMetric"]
        if m["scoreUnit"] != "ops/s":
            raise SystemExit(f"report.py: {name} is in {m['scoreUnit']}, expected ops/s")
        bpo = bytes_per_op(name, params)
        rows[label(name, params)] = dict(name=name, params=params, score=m["score"], error=float(m["scoreError"]),
                                         median=m["scorePercentiles"]["50.0"], mbs=m["score"] * bpo / 1e6)

    def find(spec):
        name, params = spec
        return rows[label(name, params)]

    print("| Benchmark | Params | Score (ops/s) | Error (99.9%) | Median (ops/s) | MB/s | Ratio | Baseline |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for lab, row in rows.items():
        base = baseline_of(row["name"], row["params"])
        if base is None and row["name"].startswith("RawDevice"):
            ratio, base_label = "1.00", "(baseline)"
        elif base is None:
            ratio, base_label = "", ""
        else:
            b = find(base)
            ratio = f"{row['mbs'] / b['mbs']:.2f}"
            base_label = label(*base).replace("RawDeviceBenchmark", "raw")
        params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
        print(f"| {row['name']} | {params} | {row['score']:,.0f} | ±{row['error']:,.0f} | {row['median']:,.0f} "
              f"| {row['mbs']:,.0f} | {ratio} | {base_label} |")

    raw_w = find(("RawDeviceBenchmark.write", {"kind": "MEMORY", "size": str(KIB64)}))
    raw_r = find(("RawDeviceBenchmark.read", {"kind": "MEMORY", "size": str(KIB64)}))
    fs5 = find(("FullStripeWriteBenchmark.write", {"layout": "RAID5"}))
    xor = find(("ParityKernelBenchmark.xorP4", {}))
    r0w = find(("RaidBenchmark.write", {"layout": "RAID0"}))
    r0r = find(("RaidBenchmark.read", {"layout": "RAID0"}))
    deg = find(("DegradedReadBenchmark.read", {"state": "DEGRADED"}))
    opt = find(("DegradedReadBenchmark.read", {"state": "OPTIMAL"}))
    verdict = lambda ok: "PASS" if ok else "FAIL"
    print()
    print("| Target | Measured | Result |")
    print("|---|---|---|")
    r = fs5["mbs"] / raw_w["mbs"]
    print(f"| RAID-5 full-stripe write >= 50% of raw write | {fs5['mbs']:,.0f} / {raw_w['mbs']:,.0f} MB/s = "
          f"{r:.0%} | {verdict(r >= 0.5)} |")
    gbs = xor["mbs"] / 1000
    print(f"| XOR parity kernel (P of 4 x 64 KiB) >= 8 GB/s, one core | {gbs:.1f} GB/s | {verdict(gbs >= 8)} |")
    rw, rr = r0w["mbs"] / raw_w["mbs"], r0r["mbs"] / raw_r["mbs"]
    print(f"| RAID-0 (2 devices) >= 90% of raw | write {rw:.0%}, read {rr:.0%} | "
          f"{verdict(rw >= 0.9 and rr >= 0.9)} |")
    print()
    print(f"RAID-5 degraded read / optimal read (same wrappers): {deg['mbs'] / opt['mbs']:.2f}")

    if len(sys.argv) > 2:
        print()
        print("| Benchmark (write paths, -prof gc) | Params | Score (ops/s) | Allocation (B/op) |")
        print("|---|---|---:|---:|")
        for r in json.load(open(sys.argv[2])):
            name, params = key(r)
            norm = r["secondaryMetrics"].get("gc.alloc.rate.norm")
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            print(f"| {name} | {shown} | {r['primaryMetric']['score']:,.0f} | "
                  f"{norm['score']:.1f} ± {float(norm['scoreError']):.1f} |")


if __name__ == "__main__":
    main()
