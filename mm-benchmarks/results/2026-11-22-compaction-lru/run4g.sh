#!/bin/bash
# usage: run4g.sh jar tag size  -> res/<tag>-<size>.{json,txt,log}
JAR=$1; NAME=$2; SIZE=$3; shift 3
cd /tmp/perf2
{ echo "start $(date -u +%T) $(cat /proc/loadavg)"; 
  java -jar jars/$JAR 'CompactionBench.compact' -p content=tag -p memorySize=$SIZE -wi 6 -i 10 "$@" -rf json -rff res/$NAME.json > res/$NAME.txt 2>&1
  echo "end $(date -u +%T) $(cat /proc/loadavg)"; } > res/$NAME.log
grep "migratedPages" res/$NAME.txt | tail -1
