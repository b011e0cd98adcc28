#!/usr/bin/env python3
# Issue 17, third round (boot3): alternated ./mmlab -c mm:meminfo runs, wall and per-thread CPU from /proc at exit.
# usage: boot3-ab.py ROUNDS 'label|worktree|MMLAB_JAVA_OPTS' ...   (AB_CMD: the program, default mm:meminfo)
import os, subprocess, sys, time, statistics, collections
tick = os.sysconf('SC_CLK_TCK')
def one(d, opts):
    env = dict(os.environ); env['MMLAB_JAVA_OPTS'] = opts
    t0 = time.time()
    p = subprocess.Popen(['./mmlab', '-c', os.environ.get('AB_CMD', 'mm:meminfo')], cwd=d, stdout=subprocess.DEVNULL, env=env)
    last = {}; jpid = None
    while p.poll() is None:
        if jpid is None:
            try:
                for k in open(f'/proc/{p.pid}/task/{p.pid}/children').read().split():
                    if 'java' in open(f'/proc/{k}/comm').read(): jpid = int(k)
                if jpid is None and 'java' in open(f'/proc/{p.pid}/comm').read(): jpid = p.pid
            except OSError: pass
        if jpid:
            try:
                for t in os.listdir(f'/proc/{jpid}/task'):
                    try:
                        s = open(f'/proc/{jpid}/task/{t}/stat').read()
                        name = s[s.index('(')+1:s.rindex(')')]; f = s[s.rindex(')')+2:].split()
                        last[t] = (name, int(f[11]) + int(f[12]))
                    except OSError: pass
            except OSError: pass
        time.sleep(0.01)
    wall = time.time() - t0
    g = collections.Counter()
    for n, c in last.values():
        k = 'C2' if n.startswith('C2 ') else 'C1' if n.startswith('C1 ') else 'main' if n == 'java' else 'startlvl' if n == 'FelixStartLevel' else 'gc' if ('GC' in n or 'G1' in n or n.startswith('VM Thread')) else 'other'
        g[k] += c / tick
    g['total'] = sum(c for k, c in g.items())
    return wall, g
rounds = int(sys.argv[1]); vs = [a.split('|', 2) for a in sys.argv[2:]]
res = {v[0]: [] for v in vs}
print(time.strftime('%H:%M:%S', time.gmtime()), 'UTC load', open('/proc/loadavg').read().split()[:3], flush=True)
keys = ['total', 'C1', 'C2', 'main', 'startlvl', 'gc', 'other']
for r in range(rounds):
    for label, d, opts in vs:
        res[label].append(one(d, opts))
    print(f'round {r+1} load {open("/proc/loadavg").read().split()[0]}: ' + '  '.join(f'{l} {res[l][-1][0]:.2f}/{res[l][-1][1]["total"]:.2f}' for l, _, _ in vs), flush=True)
print(time.strftime('%H:%M:%S', time.gmtime()), 'UTC load', open('/proc/loadavg').read().split()[:3])
print(f'{"":14s} {"wall":>5s} ' + ' '.join(f'{k:>8s}' for k in keys))
for label, _, _ in vs:
    w = statistics.median(x[0] for x in res[label])
    print(f'{label:14s} {w:5.2f} ' + ' '.join(f'{statistics.median(x[1][k] for x in res[label]):8.2f}' for k in keys))
