#!/usr/bin/env python3
"""Turns the JMH JSON results of the VolumePool benchmarks (io.coems.benchmarks.vvm) into the
Markdown tables of benchmarks/README.md: score with its 99.9% error, the median over the
iterations, MB/s (10^6 B/s) for I/O, the ratio to the raw mapped device of the same size and
pattern measured in the same run (from the scores and from the medians), and B/op when the
file comes from a `-prof gc` run.

usage: report_vvm.py RESULTS.json [MORE.json ...]
"""
import json
import statistics
import sys

PKG = "io.coems.benchmarks.vvm."


def main():
    results = []
    for path in sys.argv[1:]:
        results += json.load(open(path))
    raw = {}
    for r in results:
        p = r.get("params", {})
        if p.get("target") == "RAW":
            m = r["primaryMetric"]
            key = (r["benchmark"].split(".")[-1], p["size"], p["pattern"], p.get("backing", "FILE"))
            raw[key] = (m["score"], statistics.median(m["rawData"][0]))
    print("| Benchmark | Params | Score | Error (99.9%) | Median | MB/s | Ratio to raw (score / median) | B/op |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        name = r["benchmark"].removeprefix(PKG)
        p = r.get("params", {})
        m = r["primaryMetric"]
        median = statistics.median(x for fork in m["rawData"] for x in fork)
        unit = m["scoreUnit"]
        mbs = ratio = ""
        size = p.get("size")
        if unit == "ops/s" and size:
            mbs = f"{m['score'] * int(size) / 1e6:,.0f}"
            method = name.split(".")[-1]
            if name.startswith("FirstWriteAfterSnapshot"):
                base = raw.get(("write", size, "SEQ", "FILE"))
            else:
                base = raw.get((method, size, p.get("pattern"), p.get("backing", "FILE")))
            if base and p.get("target") != "RAW":
                ratio = f"{m['score'] / base[0]:.2f} / {median / base[1]:.2f}"
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        alloc = f"{alloc['score']:,.0f}" if alloc else ""
        shown = ", ".join(f"{k}={v}" for k, v in p.items())
        fmt = (lambda x: f"{x:,.0f}") if unit == "ops/s" else (lambda x: f"{x:,.1f}")
        print(f"| {name} | {shown} | {fmt(m['score'])} {unit} | ±{fmt(m['scoreError'])} | {fmt(median)} | {mbs} | {ratio} | {alloc} |")


if __name__ == "__main__":
    main()
