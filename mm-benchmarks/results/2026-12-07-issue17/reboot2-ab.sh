#!/usr/bin/env bash
# A/B: before (main ba6bebd) and after (branch reboot2), fresh lab each command, 3 rounds, order alternated
out=${1:-/tmp/r2-bench.log}
: > $out
for round in 1 2 3; do
  if (( round % 2 == 1 )); then order="before after"; else order="after before"; fi
  for race in 1 10 13; do
    for side in $order; do
      D=/tmp/reboot2-$side
      load=$(cut -d' ' -f1 /proc/loadavg)
      t=$(MMLAB_JAVA_OPTS= nice -n 10 $D/mmlab -c "lab:race $race --runs 20" 2>&1 | grep -E "^time:|reproduced in" | tr '\n' ' ')
      echo "R$round race$race $side runs20 $(date +%H:%M:%S) load=$load $t" >> $out
      for n in 40 5; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        c=$( { /usr/bin/time -f "CPU %U %S" env MMLAB_JAVA_OPTS= nice -n 10 $D/mmlab -c "lab:race $race --runs $n" 2>&1 | grep -E "^time:|reproduced in|^CPU" | tr '\n' ' '; } 2>&1 )
        echo "R$round race$race $side runs$n $(date +%H:%M:%S) load=$load $c" >> $out
      done
    done
  done
done
echo DONE >> $out
