#!/bin/bash
# vperf4, second set for cut 2: cut1 / cut2 (poll + lock-free used check) / cut2b (the used check alone), in turn
D=/tmp/vperf4
OUT=$D/out
run() { local label=$1 jar=$2; shift 2
  echo "$(date -u +%H:%M:%S) $label $(cat /proc/loadavg)" >> $OUT/load.log
  java -jar $D/$jar.jar VirtioInflateBench -f 1 -wi 5 -i 150 -p features=default "$@" -rf json -rff $OUT/vperf4-$label.json > $OUT/vperf4-$label.txt 2>&1
}
for i in 1 2 3; do
  run C-cut1-$i cut1
  run C-cut2-$i cut2
  run C-cut2b-$i cut2b
done
echo "$(date -u +%H:%M:%S) done2 $(cat /proc/loadavg)" >> $OUT/load.log
