#!/usr/bin/env bash
# usage: ab.sh ROUNDS 'name|dir|VAR=value;VAR=value' ...
rounds=$1; shift
for ((r = 1; r <= rounds; r++)); do
  for v in "$@"; do
    IFS='|' read -r name dir envs <<<"$v"
    IFS=';' read -r -a assigns <<<"$envs"
    load=$(cut -d' ' -f1 /proc/loadavg)
    t=$( cd "$dir" && env "${assigns[@]}" /usr/bin/time -f '%e %U %S %R' ./mmlab -c mm:meminfo 2>&1 >/dev/null | tail -1)
    echo "$(date -u +%H:%M:%S) r$r load=$load $name $t"
  done
done
