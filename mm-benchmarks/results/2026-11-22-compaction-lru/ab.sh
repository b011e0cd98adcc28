#!/bin/bash
# usage: ab.sh PREFIX SIZE ROUNDS jar1 jar2 ...   (names: <prefix>-<jar>-<size>-<round>)
PFX=$1; SIZE=$2; R=$3; shift 3
for r in $(seq 1 $R); do for j in "$@"; do
  N=$PFX-$j-$SIZE-$r
  ./run4g.sh $j.jar $N $SIZE > /dev/null
  echo "$N $(grep -h 'compact:migratedPages' res/$N.txt | tail -1 | awk '{print $(NF-3), $(NF-1)}') | $(head -1 res/$N.log | cut -d' ' -f2-5) -> $(tail -1 res/$N.log | cut -d' ' -f2-5)" >> res/summary.txt
done; done
