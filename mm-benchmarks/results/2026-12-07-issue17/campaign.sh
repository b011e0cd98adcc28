#!/bin/bash
# Race 8's 100,000 schedules as 4 local shards, two at a time (2 CPUs), each lab with a 2 GiB heap.
cd /work/campaign
lab=/work/wt/camp/mmlab
export MMLAB_JAVA_OPTS=-Xmx2g
start=$(date +%s)
echo "start $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
run() {
  local i=$1 s=$(date +%s)
  /usr/bin/time -f "shard $i: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    $lab -c "lab:explore mainline-under-pct --runs 100000 --steps 103 --seed 1 --shard $i/4 --json shard-$i.jsonl" \
    > shard-$i.out 2> shard-$i.err
  echo "shard $i exit $? after $(( $(date +%s) - s )) s, ended $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
}
( run 0; run 2 ) &
( run 1; run 3 ) &
wait
end=$(date +%s)
echo "all shards: $(( end - start )) s wall"
$lab -c 'lab:merge shard-0.jsonl shard-1.jsonl shard-2.jsonl shard-3.jsonl' > merge.out 2>&1; echo "merge exit $?"
