import sys, statistics as st, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) < 8: continue
    name = p[3]; w, u, s, f = float(p[4]), float(p[5]), float(p[6]), int(p[7])
    rows[name].append((w, u, s, u + s, f, float(p[2].split('=')[1])))
for n, r in rows.items():
    m = lambda i: st.median(x[i] for x in r)
    print(f'{n:14s} n={len(r):2d} load {min(x[5] for x in r):.1f}-{max(x[5] for x in r):.1f}  wall {m(0):.2f}  user {m(1):.2f}  sys {m(2):.2f}  cpu {m(3):.2f}  faults {m(4):.0f}')
