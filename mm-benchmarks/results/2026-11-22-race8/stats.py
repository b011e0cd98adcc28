import re,statistics,collections,sys
d=sys.argv[1]
log=open(d+'/out.log').read().splitlines()
dec={2:[],3:[]}; steps=collections.defaultdict(set)
clean=0; other=0
for l in log:
    m=re.match(r'run \d+ \(pct --seed \d+ --depth (\d) \(steps (\d+)\), (\d+) decisions\): (\S+)',l)
    if m:
        dd=int(m.group(1)); dec[dd].append(int(m.group(3))); steps[dd].add(int(m.group(2)))
        if m.group(4)=='clean': clean+=1
        else: other+=1
print('runs clean',clean,'other',other)
print('failure lines',sum(1 for l in log if 'failure:' in l),'BUG',sum(1 for l in log if 'BUG:' in l or 'WARNING:' in l or 'corruption' in l))
print('mm:check OK',sum(1 for l in log if l.startswith('mm:check: OK')),'rc',collections.Counter(l.split()[2] for l in log if l.startswith('=== rc')))
for k in dec:
    v=dec[k]; print('depth',k,len(v),'median dec',statistics.median(v),'min',min(v),'max',max(v),'distinct',len(set(v)),'steps',sorted(steps[k]))
    print('  top',collections.Counter(v).most_common(4))
t=[]
for l in log:
    m=re.match(r'time: (\d+) runs in ([\d.]+) s: ([\d.]+) ms a run \(median ([\d.]+);',l)
    if m: t.append((int(m.group(1))/float(m.group(2)), float(m.group(4)), float(m.group(3))))
print('chunks',len(t),'runs/s median %.1f min %.1f max %.1f' % (statistics.median([x[0] for x in t]), min(x[0] for x in t), max(x[0] for x in t)))
print('ms: median of chunk medians %.2f (min %.1f max %.1f), median of chunk means %.2f' % (statistics.median([x[1] for x in t]), min(x[1] for x in t), max(x[1] for x in t), statistics.median([x[2] for x in t])))
w=[]
for l in log:
    m=re.match(r'work: (\d+) runs: virtio-bundle unloaded in (\d+), balloon pages migrated in (\d+) \((\d+) pages\), deflated by the OOM notifier in (\d+), (\d+) pages',l)
    if m: w.append(tuple(map(int,m.groups())))
tot=[sum(x[i] for x in w) for i in range(6)]
print('work total runs %d unloaded %d migratedRuns %d migratedPages %d oomRuns %d deflated %d' % tuple(tot))
for dep,rows in ((2,w[0::2]),(3,w[1::2])):
    print(' depth',dep,[sum(x[i] for x in rows) for i in range(6)])
print(open(d+'/start').read().strip(), open(d+'/end').read().strip() if __import__('os').path.exists(d+'/end') else '')
