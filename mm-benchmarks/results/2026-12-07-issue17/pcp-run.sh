#!/bin/bash
# alternate before/after: VirtioInflateBench (default features) and AllocFreeBench.pair order 0
B=/tmp/pcp-before/mm-benchmarks/target/benchmarks.jar
A=/tmp/pcp-after/mm-benchmarks/target/benchmarks.jar
OUT=/tmp/pcpbench/out
mkdir -p $OUT
for i in 1 2 3 4; do
  for side in before after; do
    J=$B; [ $side = after ] && J=$A
    echo "$(date -u +%H:%M:%S) $side $i $(cat /proc/loadavg)" >> $OUT/load.log
    nice -n 10 java -jar $J VirtioInflateBench -f 1 -wi 5 -i 15 -p features=default -rf json -rff $OUT/virtio-$side-$i.json > $OUT/virtio-$side-$i.txt 2>&1
    echo "$(date -u +%H:%M:%S) $side $i alloc $(cat /proc/loadavg)" >> $OUT/load.log
    nice -n 10 java -jar $J 'AllocFreeBench.pair$' -p order=0 -p gfp=GFP_HIGHUSER_MOVABLE -p debugVm=true -p debugList=true -p memory=booted,fragmented -f 1 -wi 3 -i 5 -rf json -rff $OUT/alloc-$side-$i.json > $OUT/alloc-$side-$i.txt 2>&1
  done
done
echo "$(date -u +%H:%M:%S) done $(cat /proc/loadavg)" >> $OUT/load.log
