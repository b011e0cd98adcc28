#!/usr/bin/env bash
# Runs every measurement in docs/benchmarks.md with the settings used there: about 17 minutes on
# 2 vCPUs (allocator ~11, compaction ~6). Build first: mvn -B install -DskipTests -pl mm-core-bundle,mm-benchmarks
# Usage: mm-benchmarks/run-benchmarks.sh [results-dir] [all|alloc|compaction]
#   (default mm-benchmarks/target/results, all)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=mm-benchmarks/target/benchmarks.jar
OUT=${1:-mm-benchmarks/target/results}
WHAT=${2:-all}
mkdir -p "$OUT"
OUT_ABS=$(cd "$OUT" && pwd)
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

if [[ $WHAT == all || $WHAT == alloc ]]; then
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
fi

if [[ $WHAT == all || $WHAT == compaction ]]; then
# Compaction (issue 3). Iteration counts and fork JVM flags come from CompactionBench's annotations
# (compact: 2 forks x (10 + 20) one-compaction iterations; copies: 2 forks x (3 + 5) x 1 s);
# no -w/-r/-wi/-i here, they would override them. No -prof gc either: its window would include the
# fragment that precedes every measured compaction; the allocBytes counter measures the run itself.
# D: 1 GiB guest, tag and frame content, checkers off, plus the cold and hot 4 KiB copies (~2.5 min)
run d-compaction 'CompactionBench'
# E: the same on the default 4 GiB guest, tags only, fewer iterations (~1.5 min)
run e-compaction-4g 'CompactionBench.compact' -p content=tag -p memorySize=4G -wi 6 -i 10
# F: 1 GiB, tags, CONFIG_DEBUG_VM and CONFIG_DEBUG_LIST on (mm-core's default configuration) (~45 s)
run f-compaction-debug 'CompactionBench.compact' -p content=tag -p debugVm=true -p debugList=true
# G: the acceptance figures: default 4 GiB guest (checkers on), seed 1, target 5 %; then checkers
# off and frames; 3 repetitions each in one JVM (the first is JIT-cold) (~1 min)
java -Xmx3g -XX:MaxDirectMemorySize=6g -cp "$JAR" org.mmlab.bench.CompactionAcceptance --reps 3 \
  4G:tag 4G:tag:nodebug 4G:frame | tee "$OUT/g-acceptance.txt"
# H: where compaction's time goes: JFR at 1 ms sampling, samples under Compaction.compactMemory (~2 min)
jfr configure method-profiling=max --output "$OUT_ABS/jfr-1ms.jfc" > /dev/null
for content in tag frame; do
  java -jar "$JAR" 'CompactionBench.compact' -p content=$content -f 1 -wi 10 -i 40 \
    -prof "jfr:configName=$OUT_ABS/jfr-1ms.jfc;dir=$OUT_ABS/h-jfr-$content" > "$OUT/h-jfr-$content.txt"
  java -cp "$JAR" org.mmlab.bench.JfrTop "$OUT/h-jfr-$content" | tee "$OUT/h-profile-$content.txt"
done
fi
