#!/bin/bash
# usage: perfrun.sh jar name size
JAR=$1; NAME=$2; SIZE=${3:-4G}
cd /tmp/perf2/prof
P=org.mmlab.mm.internal
DI=""
for m in PageAlloc::delFromFreeList WorkloadProcess::tryToMigrate WorkloadProcess::removeMigrationPte PageAlloc::freeOnePage PageAlloc::freeFrozenPages PageAlloc::freeUnrefPageList PageAlloc::isolateFreePage PageAlloc::addToFreeList PageAlloc::freePagesPrepare Compaction::isolateMigratepagesBlock Compaction::isolateFreepagesBlock Compaction::isolateFreepages Compaction::compactionAlloc Compaction::splitMapPages Compaction::lruPageTooPinned Migrate::unmapAndMove Migrate::unmapAndMoveLru Migrate::migrateDone Migrate::migratePageCopy Migrate::folioIsolateLru Migrate::clearIsolated Migrate::anonOwner Migrate::isolateLruPage Lruvec::add Lruvec::delLocked VmStat::add VmStat::inc PageLock::trylock PageLock::unlock GuestMemory::putPageBatched GuestMemory::putPageInside GuestMemory::putPage StopMachine::enter StopMachine::exit PageLists::unlink PageLists::insert; do DI="$DI -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,$P.$m"; done
perf record -e cpu-clock -F 2000 -g -o $NAME.data -- java -jar ../jars/$JAR 'CompactionBench.compact' -p content=tag -p memorySize=$SIZE -f 1 -wi 6 -i 15 \
  -jvmArgsAppend "-XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit $DI" > $NAME.jmh.txt 2>&1
perf script -i $NAME.data 2>/dev/null > $NAME.script
python3 agg.py $NAME.script > $NAME.txt
grep migratedPages $NAME.jmh.txt | tail -1
head -70 $NAME.txt
