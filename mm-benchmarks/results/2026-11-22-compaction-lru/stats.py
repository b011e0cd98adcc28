import json, sys, statistics, glob, os
for f in sys.argv[1:]:
    d = json.load(open(f))
    for b in d:
        sm = b['secondaryMetrics'].get('migratedPages')
        if not sm: continue
        raw = [x for fork in sm['rawData'] for x in fork]
        print(f"{os.path.basename(f):28s} {sm['score']/1e6:5.2f} ± {sm['scoreError']/1e6:4.2f}  median {statistics.median(raw)/1e6:5.2f}  n={len(raw)} min {min(raw)/1e6:4.2f} max {max(raw)/1e6:4.2f}")
