import re,sys,statistics as st,collections
rows=[l for l in open(sys.argv[1]) if ' race=' in l]
d=collections.defaultdict(list)
for l in rows:
    m=re.search(r'^(\S+) load=(\S+) (\w+) race=(\d+) runs=(\d+) (.*)$',l.strip())
    t,load,lab,n,runs,rest=m.groups()
    mm=re.search(r'reproduced in (\d+) of (\d+)',rest); tm=re.search(r'([\d.]+) ms a run \(median ([\d.]+)',rest); cpu=re.search(r'CPU ([\d.]+) ([\d.]+)',rest)
    d[(n,lab,runs)].append(dict(t=t,load=float(load),repro=mm.group(0) if mm else None,mean=float(tm.group(1)) if tm else None,median=float(tm.group(2)) if tm else None,cpu=float(cpu.group(1))+float(cpu.group(2)) if cpu else None))
for n in ('1','10','13'):
    for lab in ('before','after'):
        big=d.get((n,lab,'120'),[]); small=d.get((n,lab,'20'),[])
        if not big: continue
        meds=[x['median'] for x in big]; means=[x['mean'] for x in big]
        cpus=[(b['cpu']-s['cpu'])/100*1000 for b,s in zip(big,small)]
        print(f"race {n} {lab:6}: medians {' / '.join(f'{x:.1f}' for x in meds)} (median {st.median(meds):.1f}); means {' / '.join(f'{x:.1f}' for x in means)} (median {st.median(means):.1f}); CPU ms a run {' / '.join(f'{x:.0f}' for x in cpus)} (median {st.median(cpus) if cpus else 0:.0f}); loads {' '.join(str(x['load']) for x in big+small)}; {set(x['repro'] for x in big+small)}; {big[0]['t']}-{(small or big)[-1]['t']}")
