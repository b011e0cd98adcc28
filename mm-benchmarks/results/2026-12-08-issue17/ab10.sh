#!/bin/bash
# before/after alternated: start-up x5 rounds, then races
B=/tmp/boot5-before; A=/work/main
for r in 1 2 3 4 5; do
  for v in B A; do d=${!v}; l=$(cut -d' ' -f1 /proc/loadavg); t=$( { /usr/bin/time -f '%e %U %S' $d/mmlab -c mm:meminfo >/dev/null; } 2>&1 | tail -1); echo "start $v $t load $l"; done
done
for race in 1 10 13; do for v in B A A B; do d=${!v}; l=$(cut -d' ' -f1 /proc/loadavg); echo "race $race $v $($d/mmlab -c "lab:race $race --runs 100" 2>&1 | grep '^time:') load $l"; done; done
for v in B A A B; do d=${!v}; l=$(cut -d' ' -f1 /proc/loadavg); echo "race8 $v $($d/mmlab -c 'lab:explore mainline-under-pct --runs 2000' 2>&1 | grep '^time:') load $l"; done
