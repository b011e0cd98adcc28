import sys, re, collections
# perf script output: header line, then frames "\t addr sym (dso)", blank line between samples
under = sys.argv[2] if len(sys.argv) > 2 else 'Compaction.compactZoneIteration'
selfc = collections.Counter(); incl = collections.Counter(); n = 0; total = 0
def name(line):
    line = line.strip()
    parts = line.split(None, 1)
    if len(parts) < 2: return '?'
    s = parts[1]
    s = re.sub(r'\s+\([^)]*\)$', '', s)
    s = re.sub(r'\+0x[0-9a-f]+$', '', s)
    m = re.match(r'^[A-Za-z]?(L?[\w/$]+;)?::?(\w+)', s)
    # JIT perf map names: "Lorg/mmlab/mm/internal/PageAlloc;::delFromFreeList"
    m = re.search(r'([\w$]+)\.([\w<>$]+)\(', s)
    if m:
        return m.group(1) + '.' + m.group(2)
    return s[:60]
def flush(frames):
    global n, total
    if not frames: return
    total += 1
    names = [name(f) for f in frames]
    if not any(under in x for x in names): return
    n += 1
    selfc[names[0]] += 1
    for x in set(names): incl[x] += 1
frames = []
for line in open(sys.argv[1], errors='replace'):
    if line.startswith('\t') or line.startswith(' '):
        frames.append(line)
    elif line.strip() == '':
        flush(frames); frames = []
    else:
        frames = []
flush(frames)
print(f"{n} of {total} samples under {under}")
print("-- self")
for k, v in selfc.most_common(45): print(f"{100*v/n:6.1f}% {k}")
print("-- inclusive")
for k, v in incl.most_common(45): print(f"{100*v/n:6.1f}% {k}")
