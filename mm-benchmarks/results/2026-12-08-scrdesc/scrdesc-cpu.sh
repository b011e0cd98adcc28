#!/usr/bin/env bash
# CPU a run of races 1 and 13, before/after alternated: (user+sys of `lab:race N --runs 120` - user+sys of
# `--runs 20`) / 100 by GNU time, a fresh lab each; then one JFR recording of race 1 (100 runs) a variant.
# Usage: scrdesc-cpu.sh ROUNDS BEFORE_DIR AFTER_DIR JFC OUTDIR
set -u
rounds=$1 before=$2 after=$3 jfc=$4 out=$5
cpu() { # variant dir race runs
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(date -u +%T) load $load $1 race $3 runs $4: $(cd "$2" && /usr/bin/time -f 'cpu %U %S' ./mmlab -c "lab:race $3 --runs $4" 2>&1 | grep -E '^(time:|cpu )' | tr '\n' ' ')"
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then order="before after"; else order="after before"; fi
  for race in 1 13; do
    for v in $order; do
      dir=$before; [[ $v == after ]] && dir=$after
      cpu "$v" "$dir" "$race" 120
      cpu "$v" "$dir" "$race" 20
    done
  done
done
for v in before after; do
  dir=$before; [[ $v == after ]] && dir=$after
  echo "$(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg) $v jfr race 1: $(cd "$dir" && MMLAB_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/r1-$v.jfr,settings=$jfc" ./mmlab -c 'lab:race 1 --runs 100' 2>&1 | grep '^time:')"
done
