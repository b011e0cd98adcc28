#!/usr/bin/env bash
# Before/after, alternated: races 1, 13 and 10 (`lab:race N --runs 100`, the time: line) and the start
# (`mm:meminfo`, GNU time wall/user/system), a fresh lab for every command, the order flipped each round,
# the 1-minute load before each command. Usage: scrdesc-ab.sh ROUNDS BEFORE_DIR AFTER_DIR
set -u
rounds=$1 before=$2 after=$3
race() { # variant dir race
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(date -u +%T) load $load $1 race $3: $(cd "$2" && ./mmlab -c "lab:race $3 --runs 100" 2>&1 | grep '^time:')"
}
start() { # variant dir
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(date -u +%T) load $load $1 start: $(cd "$2" && /usr/bin/time -f '%e %U %S' ./mmlab -c 'mm:meminfo' 2>&1 >/dev/null | tail -1)"
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then order="before after"; else order="after before"; fi
  for race in 1 13 10; do
    for v in $order; do
      dir=$before; [[ $v == after ]] && dir=$after
      race "$v" "$dir" "$race"
    done
  done
  for i in 1 2 3 4 5; do
    for v in $order; do
      dir=$before; [[ $v == after ]] && dir=$after
      start "$v" "$dir"
    done
  done
done
