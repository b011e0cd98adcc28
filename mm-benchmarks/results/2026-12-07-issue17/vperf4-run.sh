#!/bin/bash
# vperf4: alternated pairs. A: cut 1 alone (before / cut1); B: cut 2 alone (cut1 / cut2); C: the probe jars.
D=/tmp/vperf4
OUT=$D/out
run() { # label jar args...
  local label=$1 jar=$2; shift 2
  echo "$(date -u +%H:%M:%S) $label $(cat /proc/loadavg)" >> $OUT/load.log
  java -jar $D/$jar.jar VirtioInflateBench -f 1 -wi 5 -i 150 -p features=default "$@" -rf json -rff $OUT/vperf4-$label.json > $OUT/vperf4-$label.txt 2>&1
}
for i in 1 2 3; do
  run A-before-$i before
  run A-cut1-$i cut1
  run B-cut1-$i cut1
  run B-cut2-$i cut2
done
for i in 1 2; do
  for side in before cut1 cut2; do
    run probe-$side-on-$i probe-$side
  done
done
for side in before cut1 cut2; do
  run probe-$side-off-1 probe-$side -p checkers=off
done
echo "$(date -u +%H:%M:%S) done $(cat /proc/loadavg)" >> $OUT/load.log
