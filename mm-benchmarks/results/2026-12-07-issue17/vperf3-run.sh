#!/bin/bash
# alternate before/after: VirtioInflateBench, default features, steady state (-i 150); then checkers off (probe jars)
D=/tmp/vperf3
OUT=$D/out
for i in 1 2 3 4; do
  for side in before after; do
    echo "$(date -u +%H:%M:%S) $side $i $(cat /proc/loadavg)" >> $OUT/load.log
    java -jar $D/$side.jar VirtioInflateBench -f 1 -wi 5 -i 150 -p features=default -rf json -rff $OUT/vperf3-$side-$i.json > $OUT/vperf3-$side-$i.txt 2>&1
  done
done
for i in 1 2; do
  for side in before after; do
    for ch in on off; do
      echo "$(date -u +%H:%M:%S) probe-$side checkers=$ch $i $(cat /proc/loadavg)" >> $OUT/load.log
      java -jar $D/probe-$side.jar VirtioInflateBench -f 1 -wi 5 -i 150 -p features=default -p checkers=$ch -rf json -rff $OUT/vperf3-probe-$side-$ch-$i.json > $OUT/vperf3-probe-$side-$ch-$i.txt 2>&1
    done
  done
done
echo "$(date -u +%H:%M:%S) done $(cat /proc/loadavg)" >> $OUT/load.log
