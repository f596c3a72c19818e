#!/usr/bin/env bash
# compare-qcow2.sh: `coems bench` side by side with `qemu-img bench` on qcow2, in ONE run, on the
# same machine: the copy-on-write cases (qcow2 internal snapshots and backing-file overlays),
# overwrites, reads, and the time a snapshot takes as data grows.
#
#   benchmarks/compare-qcow2.sh                 # ROUNDS=5, 1 GiB of data (about 15-25 minutes)
#   QUICK=1 benchmarks/compare-qcow2.sh         # smoke run: 2 rounds, 256 MiB, snapshots at 64 MiB and 256 MiB
#   ROUNDS=7 DEPTH=1 KEEP=1 benchmarks/compare-qcow2.sh
#   ONLY='firstwrite|snapshot' benchmarks/compare-qcow2.sh   # only the scenarios whose names match
#
# Knobs (environment): ROUNDS, DATA (bytes of data, also the image and volume size; default 1G),
# DEPTH (requests in flight on both sides, default qemu-img's 64), WARMUP (untimed requests coems
# bench runs first on a second volume, for the JIT; default 2048), SNAP_SIZES (data before a
# timed snapshot, default "256M 1G 4G"), SNAP_REPEAT (snapshots timed per round and side,
# default 5), ONLY (an extended regular expression: only the scenarios whose names match, the
# snapshot rows being snapshot-SIZE; default all), WORK (scratch directory, default a new one in
# /tmp), KEEP=1 (keep WORK).
#
# Sides, all through the page cache (qemu-img -t writeback; the pool's memory-mapped files):
#   coems      a fresh pool per measurement (coems bench: data written and flushed, then the scenario)
#   qcow2      an image (64 KiB clusters) with the data written by qemu-img bench
#   qcow2-int  a copy of that image with an internal snapshot (qemu-img snapshot -c)
#   qcow2-ovl  a fresh overlay whose backing file is that image (qemu-img create -b -F qcow2)
# Every side and round gets freshly prepared state, then `sync`, then the measured run. Each
# scenario runs its sides alternately (A B C, B C A, ...) for ROUNDS rounds. Data is the byte
# 0xa5 (coems bench's preparation, and --pattern=0xa5 for qemu-img's); measured writes write 0x5a.
# Output: medians [min-max] over rounds, ratio = coems median / peer median in MB/s (for the
# snapshot rows: the peer's time / coems's time), with the range of the per-round ratios; target
# lines PASS/FAIL; written to benchmarks/results/compare-qcow2-<date>[-quick][-partial].{txt,json,svg}.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [[ "${QUICK:-0}" == 1 ]]; then
    ROUNDS="${ROUNDS:-2}"; DATA="${DATA:-256M}"; SNAP_SIZES="${SNAP_SIZES:-64M 256M}"; SNAP_REPEAT="${SNAP_REPEAT:-3}"
fi
ROUNDS="${ROUNDS:-5}"
DATA="${DATA:-1G}"
DEPTH="${DEPTH:-64}"
WARMUP="${WARMUP:-2048}"
SNAP_SIZES="${SNAP_SIZES:-256M 1G 4G}"
SNAP_REPEAT="${SNAP_REPEAT:-5}"
KEEP="${KEEP:-0}"
ONLY="${ONLY:-.}"
WORK="${WORK:-$(mktemp -d /tmp/compare-qcow2.XXXXXX)}"
mkdir -p "$WORK"
stamp="$(date -u +%Y%m%d-%H%M)"
results="$root/benchmarks/results"
tag=""
[[ "${QUICK:-0}" == 1 ]] && tag+="-quick"
[[ "$ONLY" != . ]] && tag+="-partial"
out="$results/compare-qcow2-$stamp$tag"
mkdir -p "$results"

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
cleanup() { if [[ "$KEEP" != 1 ]]; then rm -rf "$WORK"; else log "kept $WORK"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v qemu-img >/dev/null; then
    log "installing qemu-utils"
    sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q qemu-utils >&2
fi

bytes() { # bytes SIZE: 64K, 1G, 4096 -> bytes (binary units)
    local n="${1%[KMGTkmgt]}" u="${1: -1}"
    case "$u" in
        K|k) echo $((n << 10)) ;; M|m) echo $((n << 20)) ;; G|g) echo $((n << 30)) ;; T|t) echo $((n << 40)) ;;
        *) echo "$1" ;;
    esac
}
data_bytes=$(bytes "$DATA")
blocks=$((data_bytes / 65536))
(( data_bytes % (1 << 20) == 0 && data_bytes > 0 )) || { echo "compare-qcow2: DATA=$DATA is not a whole number of MiB" >&2; exit 1; }

COEMS="$root/bin/coems"
log "building the coems command"
"$COEMS" --version >/dev/null

QEMU=(qemu-img bench -t writeback -d "$DEPTH")
# Odd multiples of 64 KiB visit every block of a power-of-two image once per pass; any other
# size still gets a scattered, wrapping pattern. 10007 is prime.
RANDOM_STEP=$((65536 * 10007))
READS=$((blocks * 4))

# ---------------------------------------------------------------- qcow2 preparation
make_image() { # make_image FILE SIZE_BYTES: a qcow2 image with SIZE_BYTES of 0xa5 written, flushed
    rm -f "$1"
    qemu-img create -q -f qcow2 -o cluster_size=65536 "$1" "$2"
    qemu-img bench -q -t writeback -w -s 1M -c $(($2 >> 20)) --pattern=0xa5 "$1" >/dev/null
}
log "preparing base.qcow2: $DATA of data in 64 KiB clusters"
make_image "$WORK/base.qcow2" "$data_bytes"
cp --sparse=always "$WORK/base.qcow2" "$WORK/owned.qcow2"

prepare() { # prepare SIDE: the qcow2 file the measured run uses, fresh (echoes its path)
    case "$1" in
        qcow2) echo "$WORK/owned.qcow2" ;;
        qcow2-int)
            cp --sparse=always "$WORK/base.qcow2" "$WORK/int.qcow2"
            qemu-img snapshot -c shared "$WORK/int.qcow2"
            echo "$WORK/int.qcow2" ;;
        qcow2-ovl)
            rm -f "$WORK/ovl.qcow2"
            qemu-img create -q -f qcow2 -o cluster_size=65536 -b "$WORK/base.qcow2" -F qcow2 "$WORK/ovl.qcow2"
            echo "$WORK/ovl.qcow2" ;;
    esac
}

# ---------------------------------------------------------------- one measurement
RESULTS="$WORK/results.tsv" # round scenario side value unit
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RESULTS"; }

measure() { # measure SIDE SCENARIO_OF_COEMS BENCH_ARGS...: prints MB/s
    local side="$1" scenario="$2"; shift 2
    local count size json image secs
    count=$(awk -v a="$*" 'BEGIN { n = split(a, w, " "); for (i = 1; i < n; i++) if (w[i] == "-c") print w[i + 1] }')
    size=$(bytes "$(awk -v a="$*" 'BEGIN { n = split(a, w, " "); for (i = 1; i < n; i++) if (w[i] == "-s") print w[i + 1] }')")
    if [[ $side == coems ]]; then
        rm -rf "$WORK/pool"
        sync
        json=$("$COEMS" --pool "$WORK/pool" --json bench "$scenario" "$@" -d "$DEPTH" --volume-size "$data_bytes" \
            --warmup "$WARMUP")
        secs=$(sed -n 's/.*"seconds":\([0-9.eE+-]*\).*/\1/p' <<<"$json")
    else
        image=$(prepare "$side")
        sync
        secs=$("${QEMU[@]}" "$@" "$image" | sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p')
    fi
    awk -v c="$count" -v s="$size" -v t="$secs" 'BEGIN { printf "%.1f\n", c * s / t / 1e6 }'
}

scenario() { # scenario NAME COEMS_SCENARIO "SIDES" BENCH_ARGS...: ROUNDS rounds, sides rotated
    local name="$1" coems_scenario="$2" sides
    read -ra sides <<<"$3"; shift 3
    local r i s v order
    grep -Eq -- "$ONLY" <<<"$name" || return 0
    for ((r = 1; r <= ROUNDS; r++)); do
        order=()
        for ((i = 0; i < ${#sides[@]}; i++)); do order+=("${sides[$(((i + r - 1) % ${#sides[@]}))]}"); done
        for s in "${order[@]}"; do
            v=$(measure "$s" "$coems_scenario" "$@")
            record "$r" "$name" "$s" "$v" MB/s
            log "round $r/$ROUNDS $name $s $v MB/s"
        done
    done
}

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . ':!benchmarks/results' || echo '+changes')"
    echo "kernel: $(uname -r); cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); memory: $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "java: $("$COEMS" --version) on $(bash -c 'for h in ${JAVA_HOME:-} /usr/lib/jvm/*25*; do [[ -x $h/bin/java ]] && { $h/bin/java -version 2>&1 | head -n1; break; }; done')"
    echo "qemu-img: $(qemu-img --version | head -n1)"
    echo "rounds: $ROUNDS; data and image size: $DATA; depth: $DEPTH; coems warm-up: $WARMUP requests; scenarios matching: $ONLY; files in $WORK ($(df --output=fstype "$WORK" | tail -n1))"
} >"$WORK/header.txt"
cat "$WORK/header.txt" >&2

# ---------------------------------------------------------------- the scenarios
W64=(-w -s 64K -c "$blocks" --pattern=0x5a)
scenario overwrite-64k owned "coems qcow2" "${W64[@]}"
scenario firstwrite-64k after-snapshot "coems qcow2-int qcow2-ovl" "${W64[@]}"
scenario firstwrite-4k-cow after-snapshot "coems qcow2-int qcow2-ovl" -w -s 4K -S 64K -c "$blocks" --pattern=0x5a
scenario clone-firstwrite-64k clone "coems qcow2-ovl" "${W64[@]}"
scenario clone-read-64k clone "coems qcow2-ovl" -s 64K -c "$READS"
scenario seqread-64k owned "coems qcow2" -s 64K -c "$READS"
scenario randread-64k owned "coems qcow2" -s 64K -S "$RANDOM_STEP" -c "$READS"
scenario randread-4k owned "coems qcow2" -s 4K -S "$RANDOM_STEP" -c "$READS"

# ---------------------------------------------------------------- snapshot creation time
ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for size in $SNAP_SIZES; do
    grep -Eq -- "$ONLY" <<<"snapshot-$size" || continue
    sb=$(bytes "$size")
    log "snapshot creation with $size written: preparing snap.qcow2"
    make_image "$WORK/snap.qcow2" "$sb"
    # What a qemu-img process costs around any snapshot operation: start, open, close.
    open_ms=$(for ((k = 1; k <= SNAP_REPEAT; k++)); do
        t0=$(date +%s%N); qemu-img snapshot -l "$WORK/snap.qcow2" >/dev/null; ms_since "$t0"
    done | median)
    echo "qemu-img snapshot -l (process start, open, close) with $size written: median $open_ms ms" >>"$WORK/header.txt"
    for ((r = 1; r <= ROUNDS; r++)); do
        sides=(coems qcow2-int); ((r % 2 == 0)) && sides=(qcow2-int coems)
        for s in "${sides[@]}"; do
            sync
            if [[ $s == coems ]]; then
                rm -rf "$WORK/pool"
                json=$("$COEMS" --pool "$WORK/pool" --json bench snapshot --volume-size "$sb" --data "$sb" \
                    --repeat "$SNAP_REPEAT" --warmup 2)
                v=$(sed -n 's/.*"seconds":\([0-9.eE+-]*\).*/\1/p' <<<"$json" | awk '{ printf "%.3f\n", $1 * 1e3 }')
            else
                v=$(for ((k = 1; k <= SNAP_REPEAT; k++)); do
                    t0=$(date +%s%N)
                    qemu-img snapshot -c "timed$k" "$WORK/snap.qcow2"
                    ms_since "$t0"
                    qemu-img snapshot -d "timed$k" "$WORK/snap.qcow2"
                done | median)
            fi
            record "$r" "snapshot-$size" "$s" "$v" ms
            log "round $r/$ROUNDS snapshot-$size $s $v ms"
        done
    done
    rm -f "$WORK/snap.qcow2"
done
rm -rf "$WORK/pool"

# ---------------------------------------------------------------- report
first_snap=$(awk '{ print $1; exit }' <<<"$SNAP_SIZES")
last_snap=$(awk '{ print $NF }' <<<"$SNAP_SIZES")
awk -F '\t' -v header="$WORK/header.txt" -v txt="$out.txt" -v json="$out.json" -v svg="$out.svg" \
    -v first_snap="snapshot-$first_snap" -v last_snap="snapshot-$last_snap" -f "$root/benchmarks/compare-qcow2-report.awk" \
    "$RESULTS"
cat "$out.txt"
log "wrote $out.txt, $out.json and $out.svg"
