#!/usr/bin/env bash
# Runs every measurement in docs/benchmarks.md with the settings used there: about 11 minutes on
# 2 vCPUs. Build first: mvn -B install -DskipTests -pl mm-core-bundle,mm-benchmarks
# Usage: mm-benchmarks/run-benchmarks.sh [results-dir]   (default mm-benchmarks/target/results)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=mm-benchmarks/target/benchmarks.jar
OUT=${1:-mm-benchmarks/target/results}
mkdir -p "$OUT"
# the load average every 15 s: the machine is shared, and other work shows in the error bars
( while sleep 15; do echo "$(date -u +%T) $(cat /proc/loadavg)"; done ) > "$OUT/load.log" &
LOADLOG=$!
trap 'kill "$LOADLOG"' EXIT
# 2 forks x (3 x 1 s warm-up + 5 x 1 s measurement): 10 samples per score; -prof gc adds B/op
JMH=(-f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc)

run() { # name, then JMH arguments
  local name=$1; shift
  java -jar "$JAR" "$@" -rf json -rff "$OUT/$name.json" | tee "$OUT/$name.txt"
}

# A: checkers off, 1 and 2 threads, both GFP masks, both orders, both memory states (16 scores)
run a-debug-off 'AllocFreeBench' "${JMH[@]}" -p debugVm=false -p debugList=false
# B: the checkers one at a time and together, 1 thread, GFP_KERNEL (12 scores; "both off" is in A)
run b-debug-vm 'AllocFreeBench.pair$' "${JMH[@]}" -p gfp=GFP_KERNEL -p debugVm=true -p debugList=false,true
run b-debug-list 'AllocFreeBench.pair$' "${JMH[@]}" -p gfp=GFP_KERNEL -p debugVm=false -p debugList=true
# C: both checkers on, 2 threads, GFP_KERNEL (4 scores)
run c-debug-2threads 'AllocFreeBench.pairTwoThreads' "${JMH[@]}" -p gfp=GFP_KERNEL -p debugVm=true -p debugList=true
# the section D.2 floors on this CPU (AverageTime, ns/op)
run floors 'FloorBench' -f 2 -wi 3 -w 1s -i 5 -r 1s
# heap bytes per page and boot time (plain program, fixed heap)
java -Xmx2g -cp "$JAR" org.mmlab.bench.GuestFootprint --reps 5 4G:tag 64G:tag | tee "$OUT/footprint.txt"
