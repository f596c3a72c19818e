#!/usr/bin/env bash
# nbd-compare.sh: the COEMS NBD gateway (examples/nbd) side by side with qemu-nbd on a raw file,
# qemu-nbd on a qcow2 overlay of that file, and nbdkit (file plugin) on the raw file, in ONE run.
#
#   benchmarks/nbd-compare.sh            # ROUNDS=3 RUNTIME=5 by default (about 10 minutes)
#   ROUNDS=5 RUNTIME=10 KEEP=1 benchmarks/nbd-compare.sh
#   ONLY=firstwrite benchmarks/nbd-compare.sh   # only the workloads whose name matches the regex
#   PREALLOCATE=1 ONLY=firstwrite benchmarks/nbd-compare.sh   # thick on every side (below)
#
# Data: a 1 GiB raw image whose first 512 MiB are random (the rest a hole). The gateway serves a
# pool volume `vm` imported from it through the gateway itself (nbdcopy); qemu-nbd -f raw and
# nbdkit serve a copy of it (raw.img); qemu-nbd -f qcow2 serves overlay.qcow2 (64 KiB clusters,
# backing file base.raw, which nobody writes).
# Workloads, each server in turn, the server order rotated every round (A B C D, B C D A, ...):
#   nbdcopy-read   nbdcopy SERVER null:            (default extents: the 512 MiB hole is skipped)
#   nbdcopy-write  nbdcopy rand512m.bin SERVER     (512 MiB of random data: no zero detection)
#   fio-{rand,seq}{read,write}-{4k,64k}: fio ioengine=nbd, iodepth 16, 1 job, RUNTIME s,
#                  in the first 512 MiB
#   firstwrite-64k: fio sequential 64 KiB writes over the first 512 MiB, once, right after a
#                  snapshot: for the gateway `coems snapshot create` with the gateway stopped
#                  (then restarted); for qcow2 a fresh overlay on base.raw (qemu-nbd restarted).
#                  Both servers get the same warm-up (64 KiB first writes over [512 MiB, 1 GiB))
#                  after the restart; the gateway also writes 2 GiB of first writes into a second
#                  volume `warm` (snapshotted with vm), since the 8,192 writes of the common
#                  warm-up leave its JIT still compiling through the measured pass. Right before
#                  the measured pass, for both servers, `sync` writes back what the warm-ups
#                  wrote (else the gateway's first commit would force it, while qemu-nbd never
#                  flushes), and the page cache is dropped (as root; else a warning): in this VM
#                  only ~1.5 GiB of guest memory is backed by the host at any time (freed pages
#                  are reported back to it), and a page-cache page beyond that costs a host fault
#                  (dd into a new file: ~0.35 GB/s cold, ~4 GB/s warm). The overlay, deleted every
#                  round, would reuse warm pages while the pool, which only grows, would not.
#                  qemu-nbd raw has no snapshot and is not in this row. nbdkit is, as the
#                  SPARSE-FILE CEILING: the file plugin on a new 1 GiB sparse file (deleted and
#                  created again every round), which keeps no metadata at all: what an NBD server
#                  on sparse files can do when a first write costs no more than filling new
#                  page-cache pages (a preallocated file allows more: benchmarks/README run 9).
# PREALLOCATE=1: the gateway's pool files are preallocated (NbdMain --preallocate, with native
#                  access), the qcow2 overlay too (extended_l2=on,preallocation=falloc: qcow2 allows
#                  preallocation over a backing file only with subclusters), and the ceiling's file
#                  (fallocate instead of truncate). Default: sparse everywhere.
# Output: a table of medians [min-max] and of ratios gateway/peer (ratio of medians, with the
# range of the per-round ratios) on stdout, in benchmarks/results/nbd-compare-<date>.txt and as
# JSON beside it. Servers listen on 127.0.0.1, each on its own port, are started in the
# background and killed by PID (trap on exit).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
RUNTIME="${RUNTIME:-5}"
IODEPTH="${IODEPTH:-16}"
BASE_PORT="${BASE_PORT:-10901}"
WORK="${WORK:-$(mktemp -d /tmp/nbd-compare.XXXXXX)}"
KEEP="${KEEP:-0}"
ONLY="${ONLY:-}"
PREALLOCATE="${PREALLOCATE:-0}"
mkdir -p "$WORK"
stamp="$(date -u +%Y%m%d-%H%M)"
out_txt="$root/benchmarks/results/nbd-compare-$stamp.txt"
out_json="$root/benchmarks/results/nbd-compare-$stamp.json"
SERVERS=(coems qemu-raw qemu-qcow2 nbdkit)
declare -A PORT=([coems]=$BASE_PORT [qemu-raw]=$((BASE_PORT + 1)) [qemu-qcow2]=$((BASE_PORT + 2)) [nbdkit]=$((BASE_PORT + 3)))
declare -A PID=()

for tool in qemu-img qemu-nbd nbdkit nbdcopy nbdinfo fio python3 mvn; do
    command -v "$tool" >/dev/null || { echo "nbd-compare: $tool is missing" >&2; exit 1; }
done
JAVA=""
for home in ${JAVA_HOME:-} /usr/lib/jvm/*25*; do
    if [[ -x "$home/bin/java" ]] && "$home/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then JAVA="$home/bin/java"; break; fi
done
[[ -n "$JAVA" ]] || { echo "nbd-compare: no JDK 25" >&2; exit 1; }

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

stop() { # stop NAME: kill the server by its PID and wait for it
    local name="$1" pid="${PID[$1]:-}"
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "PID[$name]"
}
cleanup() {
    local name
    for name in "${!PID[@]}"; do stop "$name"; done
    if [[ "$KEEP" != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

uri() { echo "nbd://127.0.0.1:${PORT[$1]}/vm"; }

wait_ready() { # wait_ready NAME: until the export answers (or the server died)
    local name="$1"
    for _ in $(seq 300); do
        kill -0 "${PID[$name]}" 2>/dev/null || { echo "nbd-compare: $name exited; log:" >&2; cat "$WORK/$name.log" >&2; exit 1; }
        nbdinfo --size "$(uri "$name")" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "nbd-compare: $name does not answer" >&2; exit 1
}

start() { # start NAME: in the background, PID recorded
    local name="$1" port="${PORT[$1]}"
    case "$name" in
        coems) if ((PREALLOCATE)); then
                   "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" io.coems.nbd.NbdMain --preallocate "$WORK/pool" "$port" \
                       vm=1G warm=2G >>"$WORK/$name.log" 2>&1 &
               else
                   "$JAVA" -cp "$CP" io.coems.nbd.NbdMain "$WORK/pool" "$port" vm=1G warm=2G >>"$WORK/$name.log" 2>&1 &
               fi ;;
        qemu-raw) qemu-nbd -f raw --cache=writeback --aio=threads -t --shared=16 -b 127.0.0.1 -p "$port" -x vm \
                      "$WORK/raw.img" >>"$WORK/$name.log" 2>&1 & ;;
        qemu-qcow2) qemu-nbd -f qcow2 --cache=writeback --aio=threads -t --shared=16 -b 127.0.0.1 -p "$port" -x vm \
                      "$WORK/overlay.qcow2" >>"$WORK/$name.log" 2>&1 & ;;
        nbdkit) nbdkit -f -i 127.0.0.1 -p "$port" -e vm file "$WORK/${NBDKIT_FILE:-raw.img}" >>"$WORK/$name.log" 2>&1 & ;;
    esac
    PID[$name]=$!
    wait_ready "$name"
}

new_overlay() {
    rm -f "$WORK/overlay.qcow2"
    local options=cluster_size=65536
    ((PREALLOCATE)) && options+=,extended_l2=on,preallocation=falloc
    qemu-img create -q -f qcow2 -o "$options" -b "$WORK/base.raw" -F raw "$WORK/overlay.qcow2"
}

# ---------------------------------------------------------------- set-up
log "building the gateway and the coems command"
(cd "$root" && mvn -B -o -q -pl examples/nbd,examples/cli -am package -DskipTests)
(cd "$root" && mvn -B -o -q -pl examples/nbd dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
# this worktree's modules, not whatever version of them ~/.m2 holds
CP="$root/examples/nbd/target/classes"
IFS=: read -ra deps <"$WORK/cp.txt" || true
for jar in "${deps[@]}"; do
    case "$jar" in
        */coems-vvm-api-*.jar) CP+=":$root/vvm-api/target/classes" ;;
        */coems-sfs-*.jar) CP+=":$root/sfs/target/classes" ;;
        */coems-matrix-*.jar) CP+=":$root/matrix/target/classes" ;;
        */coems-*.jar) echo "nbd-compare: unexpected module $jar" >&2; exit 1 ;;
        *) CP+=":$jar" ;;
    esac
done
COEMS=("$root/bin/coems" --pool "$WORK/pool")

log "data in $WORK: 1 GiB raw, first 512 MiB random; 512 MiB random write source"
truncate -s 1G "$WORK/base.raw"
dd if=/dev/urandom of="$WORK/base.raw" bs=1M count=512 conv=notrunc status=none
dd if=/dev/urandom of="$WORK/rand512m.bin" bs=1M count=512 status=none
cp --sparse=always "$WORK/base.raw" "$WORK/raw.img"
new_overlay

for s in "${SERVERS[@]}"; do start "$s"; done
log "importing base.raw into the gateway's volume vm through the gateway"
nbdcopy "$WORK/base.raw" "$(uri coems)"
cmp -n $((512 << 20)) <(nbdcopy "$(uri coems)" -) "$WORK/base.raw" || { echo "nbd-compare: the import differs" >&2; exit 1; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel: $(uname -r); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "java: $("$JAVA" -version 2>&1 | head -n1)"
    echo "qemu-nbd: $(qemu-nbd --version | head -n1); nbdkit: $(nbdkit --version); nbdcopy: $(nbdcopy --version | head -n1); fio: $(fio --version)"
    echo "files: $( ((PREALLOCATE)) && echo "preallocated (pool, qcow2 overlay, ceiling)" || echo sparse)"
    echo "rounds: $ROUNDS; fio runtime ${RUNTIME}s, iodepth $IODEPTH, 1 job, 512 MiB region; data in $WORK ($(df --output=fstype "$WORK" | tail -n1))"
    for s in "${SERVERS[@]}"; do
        echo "$s: size $(nbdinfo --size "$(uri "$s")"), $(nbdinfo --can multi-conn "$(uri "$s")" && echo multi-conn || echo no multi-conn)"
    done
} >"$WORK/header.txt"
cat "$WORK/header.txt" >&2

RESULTS="$WORK/results.tsv" # round workload server value unit
: >"$RESULTS"

fio_run() { # fio_run NAME RW BS [extra fio options...]: prints "MB/s IOPS"
    local name="$1" rw="$2" bs="$3"; shift 3
    fio --name=b --ioengine=nbd --uri="$(uri "$name")" --rw="$rw" --bs="$bs" --iodepth="$IODEPTH" \
        --numjobs=1 --size=512m --randrepeat=0 --norandommap --output-format=json --output="$WORK/fio.json" "$@" >"$WORK/fio.err" 2>&1 \
        || { cat "$WORK/fio.err" >&2; return 1; }
    python3 - "$WORK/fio.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = j["read"] if j["read"]["io_bytes"] > 0 else j["write"]
print(f'{side["bw_bytes"] / 1e6:.2f} {side["iops"]:.1f}')
EOF
}

timed() { # timed BYTES CMD...: prints MB/s of BYTES over the command's wall time
    local bytes="$1"; shift
    local t0 t1
    t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
    python3 -c "print(f'{$bytes / ($t1 - $t0) / 1e6:.2f}')"
}

wanted() { [[ -z "$ONLY" || "$1" =~ $ONLY ]]; } # wanted WORKLOAD: whether ONLY selects it

record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RESULTS"; }

# ---------------------------------------------------------------- warm-up (not recorded)
log "warm-up: 3 s of 64k random writes and reads on each server"
for s in "${SERVERS[@]}"; do
    fio_run "$s" randwrite 64k --time_based --runtime=3 >/dev/null
    fio_run "$s" randread 64k --time_based --runtime=3 >/dev/null
done

FIO_WORKLOADS=("randread 4k" "randwrite 4k" "randread 64k" "randwrite 64k" "read 64k" "write 64k")
for ((r = 1; r <= ROUNDS; r++)); do
    order=()
    for ((i = 0; i < ${#SERVERS[@]}; i++)); do order+=("${SERVERS[$(((i + r - 1) % ${#SERVERS[@]}))]}"); done
    log "round $r of $ROUNDS, order: ${order[*]}"
    for s in "${order[@]}"; do
        wanted nbdcopy-read || break
        v=$(timed $((1 << 30)) nbdcopy "$(uri "$s")" null:)
        record "$r" nbdcopy-read "$s" "$v" MB/s; log "  nbdcopy-read $s $v MB/s"
    done
    for s in "${order[@]}"; do
        wanted nbdcopy-write || break
        v=$(timed $((512 << 20)) nbdcopy "$WORK/rand512m.bin" "$(uri "$s")")
        record "$r" nbdcopy-write "$s" "$v" MB/s; log "  nbdcopy-write $s $v MB/s"
    done
    for w in "${FIO_WORKLOADS[@]}"; do
        read -r rw bs <<<"$w"
        kind=$([[ $rw == rand* ]] && echo "$rw" || echo "seq$rw")
        wanted "fio-$kind-$bs" || continue
        for s in "${order[@]}"; do
            read -r mbs iops < <(fio_run "$s" "$rw" "$bs" --time_based --runtime="$RUNTIME")
            if [[ $bs == 4k ]]; then record "$r" "fio-$kind-$bs" "$s" "$iops" IOPS; else record "$r" "fio-$kind-$bs" "$s" "$mbs" MB/s; fi
            log "  fio-$kind-$bs $s $mbs MB/s $iops IOPS"
        done
    done
done

# first writes after a snapshot, after all other rounds (so the other rows never see a snapshot):
# the two servers with snapshots and the ceiling, the order rotated per round. [512 MiB, 1 GiB) of the
# gateway's volume is written first, so that after each snapshot the warm-up there copies on
# write as the measured run does (qcow2's 64 KiB cluster writes allocate whether or not the
# backing file has data there).
drop_cache() { # after sync: the measured pass of either server writes into warm free pages
    sync
    if [[ -w /proc/sys/vm/drop_caches ]]; then echo 1 >/proc/sys/vm/drop_caches
    else log "warning: cannot drop the page cache (not root); first writes then also measure host faults"; fi
}
if wanted firstwrite-64k; then
    fio_run coems write 64k --offset=512m --size=512m >/dev/null
    fio_run coems write 64k --size=2g --uri="nbd://127.0.0.1:${PORT[coems]}/warm" >/dev/null
fi
for ((r = 1; r <= ROUNDS; r++)); do
    wanted firstwrite-64k || break
    fw=(coems qemu-qcow2 nbdkit); fw=("${fw[@]:$(((r - 1) % 3))}" "${fw[@]:0:$(((r - 1) % 3))}")
    log "first writes after a snapshot, round $r of $ROUNDS, order: ${fw[*]}"
    for s in "${fw[@]}"; do
        stop "$s"
        if [[ $s == coems ]]; then
            "${COEMS[@]}" snapshot create vm "round$r" >/dev/null
            "${COEMS[@]}" snapshot create warm "round$r" >/dev/null
            start "$s"
        elif [[ $s == nbdkit ]]; then
            rm -f "$WORK/fresh.raw"
            if ((PREALLOCATE)); then fallocate -l 1G "$WORK/fresh.raw"; else truncate -s 1G "$WORK/fresh.raw"; fi
            NBDKIT_FILE=fresh.raw start "$s"
        else
            new_overlay
            start "$s"
        fi
        fio_run "$s" write 64k --offset=512m --size=512m >/dev/null # warm-up, outside the measured region
        if [[ $s == coems ]]; then # the JIT's warm-up: first writes into the other volume
            fio_run coems write 64k --size=2g --uri="nbd://127.0.0.1:${PORT[coems]}/warm" >/dev/null
        fi
        drop_cache
        read -r mbs iops < <(fio_run "$s" write 64k --offset=0 --size=512m)
        record "$r" firstwrite-64k "$s" "$mbs" MB/s; log "  firstwrite-64k $s $mbs MB/s"
    done
done

# ---------------------------------------------------------------- report
python3 - "$RESULTS" "$WORK/header.txt" "$out_txt" "$out_json" "$PREALLOCATE" <<'EOF'
import json, math, statistics, sys
from collections import defaultdict
res, header, out_txt, out_json = sys.argv[1:5]
files = "preallocated" if sys.argv[5] == "1" else "sparse"
servers = ["coems", "qemu-raw", "qemu-qcow2", "nbdkit"]
vals = defaultdict(dict)  # (workload) -> server -> {round: value}
units, order = {}, []
for line in open(res):
    r, w, s, v, u = line.rstrip("\n").split("\t")
    if w not in units:
        order.append(w)
    units[w] = u
    vals[w].setdefault(s, {})[int(r)] = float(v)
lines = [l.rstrip("\n") for l in open(header)]
lines.append("")
lines.append("median [min-max] over rounds; ratio = coems median / peer median [range of per-round ratios]")
lines.append("")
hdr = f'{"workload":<18} {"unit":<5} ' + " ".join(f"{s:>24}" for s in servers) + " " + " ".join(f'{"coems/" + s:>22}' for s in servers[1:])
lines.append(hdr)
lines.append("-" * len(hdr))
js = {"header": lines[: len(lines) - 4], "workloads": {}}
for w in order:
    row = f"{w:<18} {units[w]:<5} "
    entry = {"unit": units[w], "servers": {}, "ratios": {}}
    for s in servers:
        d = vals[w].get(s)
        if not d:
            row += f'{"-":>24} '
            continue
        xs = list(d.values())
        med = statistics.median(xs)
        entry["servers"][s] = {"median": med, "min": min(xs), "max": max(xs), "rounds": d}
        row += f"{med:>10.1f} [{min(xs):.0f}-{max(xs):.0f}]".rjust(24) + " "
    c = vals[w].get("coems", {})
    for s in servers[1:]:
        d = vals[w].get(s)
        if not d or not c:
            row += f'{"-":>22} '
            continue
        ratio = statistics.median(c.values()) / statistics.median(d.values())
        per = [c[r] / d[r] for r in c if r in d and d[r] > 0]
        entry["ratios"][s] = {"ratio": ratio, "per_round_min": min(per), "per_round_max": max(per)}
        row += f"{ratio:.2f}x [{min(per):.2f}-{max(per):.2f}]".rjust(22) + " "
    lines.append(row.rstrip())
    js["workloads"][w] = entry

def ratio(w, s):
    return js["workloads"].get(w, {}).get("ratios", {}).get(s, {}).get("ratio", float("nan"))
lines.append("")
targets = [
    ("coems >= 1.0x qemu-nbd raw, fio 64k sequential read", ratio("fio-seqread-64k", "qemu-raw"), 1.0),
    ("coems >= 1.0x qemu-nbd raw, fio 64k sequential write", ratio("fio-seqwrite-64k", "qemu-raw"), 1.0),
    ("coems >= 2.0x qemu-nbd qcow2, 64k first writes after a snapshot", ratio("firstwrite-64k", "qemu-qcow2"), 2.0),
]
js["targets"] = []
for name, got, want in targets:
    if got != got:  # NaN: the workload was not run (ONLY)
        lines.append(f"skip  {name}: not run")
        continue
    ok = got >= want
    lines.append(f"{'PASS' if ok else 'FAIL'}  {name}: {got:.2f}x")
    js["targets"].append({"target": name, "ratio": got, "want": want, "pass": ok})
if not math.isnan(ratio("fio-seqread-64k", "nbdkit")):  # the row was run
    lines.append(f'info  coems / nbdkit, fio 64k sequential read {ratio("fio-seqread-64k", "nbdkit"):.2f}x, write {ratio("fio-seqwrite-64k", "nbdkit"):.2f}x')
fw = js["workloads"].get("firstwrite-64k", {}).get("servers", {})
if "nbdkit" in fw and "qemu-qcow2" in fw:
    ceiling = fw["nbdkit"]["median"] / fw["qemu-qcow2"]["median"]
    lines.append(f'info  first writes, {files}-file ceiling (nbdkit on a new {files} file, no metadata) / qemu-nbd qcow2: {ceiling:.2f}x;'
                 f' coems / ceiling: {ratio("firstwrite-64k", "nbdkit"):.2f}x')
text = "\n".join(lines) + "\n"
open(out_txt, "w").write(text)
json.dump(js, open(out_json, "w"), indent=1)
print(text, end="")
EOF
log "wrote $out_txt and $out_json"
