#!/usr/bin/env bash
# extras: 2025/none with PCT depth 3 (10,000) and 2025/drain with random (10,000), fresh JVMs of 5,000
cd /tmp/race8-100k-final
for spec in "--policy none --depth 3 --seed 200001" "--policy none --depth 3 --seed 205001" "--strategy random --seed 300001" "--strategy random --seed 305001"; do
  echo "=== $spec $(date -u +%FT%TZ)" >> extra.log
  java -Dgosh.args=--nointeractive "-Dmmlab.commands=lab:explore mainline-under-pct $spec --runs 5000; mm:check" -jar mmlab.jar >> extra.log 2>> extra.err
  echo "=== rc $? $(date -u +%FT%TZ)" >> extra.log
done
echo "=== teeth $(date -u +%FT%TZ)" >> extra.log
java -Dgosh.args=--nointeractive "-Dmmlab.commands=lab:explore mainline-under-pct --contract 2012 --policy none --variant v7-leak --depth 3 --seed 1 --runs 200; lab:explore mainline-under-pct --contract 2012 --policy none --runs 200; lab:explore mainline-under-pct --contract 2016 --policy none --runs 200; mm:check" -jar mmlab.jar >> extra.log 2>> extra.err
echo "=== rc $? $(date -u +%FT%TZ)" >> extra.log
