#!/usr/bin/env bash
# nvsp-ceiling.sh: NVSP's sequential reads with 8 KiB fragments next to their ceiling on this
# machine, in ONE run (issue 7's target is 2 GB/s there).
#
#   benchmarks/nvsp-ceiling.sh              # ROUNDS=3 (about 4 minutes)
#
# Each round, in this order:
#   UdpCeiling plain 1 and 2 senders, sealed 1 and 2 senders (5 s of warm-up, 5 s measured):
#       the data path alone (copy, AES-256-GCM, UDP GSO/GRO; see UdpCeiling's javadoc)
#   NvspIoBenchmark.read, 1 MiB and 8 MiB (16 requests of 64 KiB in flight; the pipeline drains
#       at the end of every operation, once per 16 or 128 requests), one client, BATCHED,
#       ENCRYPTED, 4 x 1 s of warm-up then 10 x 1 s: the median iteration, and the fork's CPU
#       time (/proc/PID/stat) over 8 s of the measured iterations
# Prints one line per measurement; the README's tables take the median over the rounds.
# Needs a quiet machine: anything else running moves every figure.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
JAVA=""
for home in ${JAVA_HOME:-} /usr/lib/jvm/*25*; do
    if [[ -x "$home/bin/java" ]] && "$home/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then JAVA="$home/bin/java"; break; fi
done
[[ -n "$JAVA" ]] || { echo "nvsp-ceiling.sh: no JDK 25 found (set JAVA_HOME)" >&2; exit 1; }
(cd "$root" && mvn -B -o -q -Dstyle.color=never -pl benchmarks -am package -DskipTests) >&2
jar="$root/benchmarks/target/benchmarks.jar"
ticks=$(getconf CLK_TCK)

ceiling() { # senders mode
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$jar" io.coems.benchmarks.nvsp.UdpCeiling 5 "$1" "$2" | tail -n 1
}

nvsp() { # size in bytes
    local size=$1 log pid c0 c1 t0 t1
    log=$(mktemp)
    "$JAVA" -jar "$jar" NvspIoBenchmark.read -p target=REMOTE -p size="$size" -p pattern=SEQ -p datagram=8248 \
        -p transport=BATCHED -f 1 -wi 4 -w 1s -i 10 -r 1s -t 1 > "$log" 2>&1 &
    local jmh=$!
    until grep -q '^Iteration   1:' "$log"; do
        kill -0 "$jmh" 2>/dev/null || { cat "$log" >&2; return 1; }
        sleep 0.2
    done
    pid=$(pgrep -f -n 'org.openjdk.jmh.runner.ForkedMain')
    c0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); t0=$(date +%s.%N)
    sleep 8
    c1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); t1=$(date +%s.%N)
    wait "$jmh"
    grep '^Iteration' "$log" | awk '{print $3}' | sort -n | awk -v s="$size" -v c0="$c0" -v c1="$c1" \
        -v t0="$t0" -v t1="$t1" -v hz="$ticks" '{ a[NR] = $1 } END {
            mbs = (a[5] + a[6]) / 2 * s / 1e6; cores = (c1 - c0) / hz / (t1 - t0)
            printf "NVSP %d KiB reads: median %.0f MB/s (iterations %.0f-%.0f), %.2f cores, %.2f core-seconds per GB\n",
                s / 1024, mbs, a[1] * s / 1e6, a[NR] * s / 1e6, cores, cores / (mbs / 1000) }'
    rm -f "$log"
}

echo "# nvsp-ceiling.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$root" rev-parse --short HEAD), $("$JAVA" -version 2>&1 | head -n 1)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
    echo "## round $round"
    for mode in plain sealed; do
        for senders in 1 2; do
            ceiling "$senders" "$mode"
        done
    done
    nvsp 1048576
    nvsp 8388608
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
