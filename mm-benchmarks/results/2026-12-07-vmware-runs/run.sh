#!/bin/bash
# alternates before/after: VmwInflateBench, 1 fork of 5 warm-up + 15 measured invocations each
cd /tmp/modstate-bench
for round in 1 2 3 4; do
  for side in before after; do
    echo "$side $round start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> log.txt
    nice -n 10 java -jar /tmp/modstate-$side/mm-benchmarks/target/benchmarks.jar 'VmwInflateBench' -f 1 -wi 5 -i 15 \
      -rf json -rff $side-$round.json > $side-$round.out 2>&1
    echo "$side $round end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> log.txt
  done
done
echo done >> log.txt
