#!/usr/bin/env bash
# race1fast A/B, reduced for the load: per round and race, a fresh lab each for --runs 120 and --runs 20, before and
# after alternated (the order flipped every round); time from the 120-run batch's time: line, CPU a run from
# (user+sys of 120 - of 20)/100. usage: r1f-ab2.sh ROUNDS OUTFILE
set -u
rounds=${1:-3}; out=${2:-/tmp/r1f-ab2.log}
B=/tmp/race1-before; A=/work/wt/race1fast
one() { # label dir race runs
  local label=$1 dir=$2 n=$3 runs=$4 t0 res
  t0=$(date -u +%H:%M:%S)
  res=$( { MMLAB_JAVA_OPTS= /usr/bin/time -f 'CPU %U %S' nice -n 10 "$dir/mmlab" -c "lab:race $n --runs $runs" ; } 2>&1 | grep -E '^time:|reproduced in|^CPU' | tr '\n' ' ')
  echo "$t0 load=$(cut -d' ' -f1 /proc/loadavg) $label race=$n runs=$runs $res" >> "$out"
}
for r in $(seq 1 "$rounds"); do
  for n in 1 10 13; do
    if (( r % 2 == 1 )); then
      one before $B $n 120; one after $A $n 120; one after $A $n 20; one before $B $n 20
    else
      one after $A $n 120; one before $B $n 120; one before $B $n 20; one after $A $n 20
    fi
  done
  echo "round $r done $(date -u +%H:%M:%S)" >> "$out"
done
