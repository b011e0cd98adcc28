#!/usr/bin/env bash
# race 8, 100,000 PCT schedules against 2025/drain: 20 chunks of 5,000 in fresh JVMs
# (mm-core's StopMachine.stripe() fails for thread ids >= 53,020: a JVM must not outlive ~8,800 runs)
cd /tmp/race8-100k-final
date -u +%FT%TZ > start
for chunk in $(seq 0 19); do
  if (( chunk % 2 == 0 )); then depth=2; seed=$(( 1 + (chunk / 2) * 5000 )); else depth=3; seed=$(( 100001 + (chunk / 2) * 5000 )); fi
  echo "=== chunk $chunk depth $depth seed $seed $(date -u +%FT%TZ)" >> out.log
  java -Dgosh.args=--nointeractive \
    "-Dmmlab.commands=lab:explore mainline-under-pct --strategy pct --depth $depth --seed $seed --runs 5000; mm:check" \
    -jar mmlab.jar >> out.log 2>> err.log
  echo "=== rc $? $(date -u +%FT%TZ)" >> out.log
done
date -u +%FT%TZ > end
