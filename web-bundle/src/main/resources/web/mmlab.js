// The lab's page: draws each live view the server sends as a Server-Sent Event (/mmlab/events) named
// after it, the same data /mmlab/api/NAME serves. Nothing here computes what the lab knows: it draws.
'use strict';

const KIND_COLOURS = {
  free: '#c8e6c9', reported: '#80cbc4', user: '#64b5f6', kernel: '#ffb74d',
  offline: '#9e9e9e', isolated: '#e53935', reserved: '#424242',
};
const BALLOON_COLOURS = ['#ab47bc', '#ec407a', '#7e57c2', '#8d6e63', '#5c6bc0'];
const MIGRATETYPE_COLOURS = {
  UNMOVABLE: '#795548', MOVABLE: '#2e7d32', RECLAIMABLE: '#f9a825', HIGHATOMIC: '#00838f',
  CMA: '#6a1b9a', ISOLATE: '#c62828',
};
// the order kinds stack in a cell, bottom up
const STACK = ['reserved', 'kernel', 'user', 'balloon', 'offline', 'isolated', 'reported', 'free'];

const $ = (id) => document.getElementById(id);
const state = { map: null, cell: 15, cols: 64, owners: [], history: {}, dmesg: [] };

function balloonColour(owner) {
  let i = state.owners.indexOf(owner);
  if (i < 0) { state.owners.push(owner); i = state.owners.length - 1; }
  return BALLOON_COLOURS[i % BALLOON_COLOURS.length];
}

function colourOf(kind, owner) {
  return kind === 'balloon' ? balloonColour(owner || '?') : (KIND_COLOURS[kind] || '#000');
}

// ---- the memory map ----

function drawMap(map) {
  if (map.unavailable) { $('map-caption').textContent = map.unavailable; return; }
  map.kinds = map.kinds.map((k) => k.toLowerCase());
  state.map = map;
  const canvas = $('map');
  const n = map.pageblocks.length;
  const width = canvas.width;
  state.cell = Math.max(4, Math.min(15, Math.floor(Math.sqrt(width * 520 / Math.max(n, 1)))));
  state.cols = Math.floor(width / state.cell);
  canvas.height = Math.ceil(n / state.cols) * state.cell;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const kinds = map.kinds;
  let balloonBlocks = 0, balloonPages = 0, freeBlocks = 0, signature = 0;
  map.pageblocks.forEach((b, i) => {
    const x = (i % state.cols) * state.cell, y = Math.floor(i / state.cols) * state.cell;
    const frame = state.cell >= 8 ? 2 : 1;
    ctx.fillStyle = MIGRATETYPE_COLOURS[b.migratetype] || '#000';
    ctx.fillRect(x, y, state.cell - 1, state.cell - 1);
    const inner = state.cell - 1 - 2 * frame;
    let filled = 0;
    const total = map.pageblockPages;
    const counts = {};
    kinds.forEach((k, j) => { counts[k] = b.pages[j]; signature = (signature * 31 + b.pages[j]) | 0; });
    signature = (signature * 31 + b.migratetype.length) | 0;
    if (counts.balloon > 0) { balloonBlocks++; balloonPages += counts.balloon; }
    if (counts.free + counts.reported === map.pageblockPages) freeBlocks++;
    for (const kind of STACK) {
      if (kind === 'balloon') {
        for (const [owner, pages] of Object.entries(b.balloons || {})) {
          filled = stack(ctx, x + frame, y + frame, inner, filled, pages / total, colourOf('balloon', owner));
        }
      } else if (counts[kind]) {
        filled = stack(ctx, x + frame, y + frame, inner, filled, counts[kind] / total, colourOf(kind));
      }
    }
  });
  const mib = (n * map.pageblockPages * 4 / 1024) | 0;
  $('map-caption').textContent = `${n} pageblocks, ${mib} MiB`;
  Object.assign(canvas.dataset, {
    blocks: n, balloonBlocks, balloonPages, freeBlocks, signature: (signature >>> 0).toString(16),
    updates: (Number(canvas.dataset.updates) || 0) + 1,
  });
  drawLegend(map);
}

// fills a share of a cell's inner square, bottom up; returns the share filled so far
function stack(ctx, x, y, size, from, share, colour) {
  const top = Math.round(size * (1 - from - share)), bottom = Math.round(size * (1 - from));
  ctx.fillStyle = colour;
  ctx.fillRect(x, y + top, size, bottom - top);
  return from + share;
}

function drawLegend(map) {
  const items = [];
  for (const kind of STACK) {
    if (kind === 'balloon') {
      const owners = new Set();
      map.pageblocks.forEach((b) => Object.keys(b.balloons || {}).forEach((o) => owners.add(o)));
      owners.forEach((o) => items.push(`<span><i style="background:${colourOf('balloon', o)}"></i>balloon: ${o}</span>`));
    } else {
      items.push(`<span><i style="background:${KIND_COLOURS[kind]}"></i>${kind}</span>`);
    }
  }
  for (const [mt, colour] of Object.entries(MIGRATETYPE_COLOURS)) {
    items.push(`<span><i style="border-color:${colour}"></i>${mt.toLowerCase()}</span>`);
  }
  $('legend').innerHTML = items.join('');
}

$('map').addEventListener('click', (e) => {
  if (!state.map) return;
  const r = e.target.getBoundingClientRect();
  const i = Math.floor((e.clientY - r.top) / state.cell) * state.cols + Math.floor((e.clientX - r.left) / state.cell);
  if (i >= 0 && i < state.map.pageblocks.length) zoom(i);
});

async function zoom(index) {
  const resp = await fetch(`api/pageblocks/${index}`);
  const block = await resp.json();
  const box = $('zoom');
  box.hidden = false;
  if (!resp.ok) { $('zoom-caption').textContent = block.error; return; }
  $('zoom-caption').textContent =
      `pageblock ${index}: PFN 0x${block.pfn.toString(16)} to 0x${(block.pfn + block.pages.length - 1).toString(16)}, ` +
      `${block.zone}, ${block.migratetype.toLowerCase()}`;
  const canvas = $('zoom-map'), ctx = canvas.getContext('2d');
  const cols = 32, cell = Math.floor(canvas.width / cols);
  canvas.height = Math.ceil(block.pages.length / cols) * cell;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  block.pages.forEach((kind, i) => {
    ctx.fillStyle = colourOf(kind.toLowerCase(), block.owners[i]);
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - 1, cell - 1);
  });
  canvas.dataset.pageblock = index;
}

// ---- free lists ----

function drawFreeLists(lists) {
  const canvas = $('freelists'), ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (lists.unavailable) return;
  const orders = Math.max(0, ...lists.map((l) => l.nrFree.length));
  const pages = [];  // [order][migratetype] -> free pages
  for (let o = 0; o < orders; o++) pages.push({});
  lists.forEach((l) => l.nrFree.forEach((blocks, o) => {
    pages[o][l.migratetype] = (pages[o][l.migratetype] || 0) + blocks * (1 << o);
  }));
  const max = Math.max(1, ...pages.map((p) => Object.values(p).reduce((a, b) => a + b, 0)));
  const w = canvas.width / Math.max(orders, 1), base = canvas.height - 20;
  ctx.font = '11px sans-serif';
  pages.forEach((byType, o) => {
    let y = base;
    for (const [mt, n] of Object.entries(byType)) {
      const h = (base - 14) * n / max;
      ctx.fillStyle = MIGRATETYPE_COLOURS[mt] || '#000';
      ctx.fillRect(o * w + 6, y - h, w - 12, h);
      y -= h;
    }
    const total = Object.values(byType).reduce((a, b) => a + b, 0);
    ctx.fillStyle = '#222';
    ctx.fillText(`order ${o}`, o * w + 6, canvas.height - 6);
    ctx.fillText(String(total), o * w + 6, y - 3);
  });
  canvas.dataset.updates = (Number(canvas.dataset.updates) || 0) + 1;
}

// ---- balloons ----

function drawDevices(devices) {
  if (devices.unavailable) { $('devices').textContent = devices.unavailable; return; }
  const now = Date.now();
  const rows = devices.map((d) => {
    (state.history[d.name] = state.history[d.name] || []).push({ t: now, size: d.numPages, target: d.hostTarget });
    return `<tr><td>${d.name} (${d.dev})</td><td>${mib(d.numPages)}</td><td>${mib(d.hostTarget)}</td>` +
        `<td>${mib(d.actual)}</td><td>${d.misbehaviour}${d.broken ? ', broken' : ''}</td></tr>`;
  });
  $('devices').innerHTML = '<table><tr><th>device</th><th>size</th><th>target</th><th>actual (told)</th>' +
      `<th>host</th></tr>${rows.join('')}</table>`;
  $('devices').dataset.sizes = devices.map((d) => `${d.name}=${d.numPages}`).join(',');
  drawBalloons();
}

function mib(pages) { return `${(pages * 4 / 1024).toFixed(0)} MiB`; }

function drawBalloons() {
  const canvas = $('balloons'), ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const now = Date.now(), span = 120000;
  let max = 1;
  for (const h of Object.values(state.history)) h.forEach((s) => { max = Math.max(max, s.size, s.target); });
  const x = (t) => canvas.width * (1 - (now - t) / span), y = (v) => canvas.height - 10 - (canvas.height - 20) * v / max;
  Object.entries(state.history).forEach(([name, h], i) => {
    while (h.length > 2 && now - h[1].t > span) h.shift();
    const colour = BALLOON_COLOURS[i % BALLOON_COLOURS.length];
    line(ctx, h, x, (s) => y(s.target), colour, [6, 4]);
    line(ctx, h, x, (s) => y(s.size), colour, []);
  });
  ctx.fillStyle = '#607d8b';
  ctx.font = '11px sans-serif';
  ctx.fillText(`${mib(max)}: solid = size, dashed = target, last 2 minutes`, 6, 12);
}

function line(ctx, samples, x, y, colour, dash) {
  ctx.strokeStyle = colour;
  ctx.setLineDash(dash);
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((s, i) => (i ? ctx.lineTo(x(s.t), y(s)) : ctx.moveTo(x(s.t), y(s))));
  ctx.lineTo(ctx.canvas.width, y(samples[samples.length - 1]));
  ctx.stroke();
  ctx.setLineDash([]);
}

// ---- race lab ----

function drawRaces(races) {
  if (races.unavailable || !races.length) return;
  const keys = Object.keys(races[0]);
  $('races').innerHTML = `<table><tr>${keys.map((k) => `<th>${k}</th>`).join('')}</tr>` +
      races.map((r) => `<tr>${keys.map((k) => `<td>${escape(format(r[k]))}</td>`).join('')}</tr>`).join('') + '</table>';
}

function format(v) { return Array.isArray(v) ? v.join('; ') : (v === null ? '' : String(v)); }

// ---- dmesg ----

const REPORT = /BUG|WARNING|KASAN|KMSAN|circular locking|use-after|data loss|Oops|FAIL/;

function appendDmesg(lines) {
  const pre = $('dmesg');
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  for (const l of lines) {
    const span = document.createElement('span');
    if (REPORT.test(l)) span.className = 'report';
    span.textContent = l + '\n';
    pre.appendChild(span);
  }
  while (pre.childNodes.length > 2000) pre.removeChild(pre.firstChild);
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

function escape(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}

// ---- the stream ----

const HANDLERS = { pageblocks: drawMap, freelists: drawFreeLists, devices: drawDevices, races: drawRaces, dmesg: appendDmesg };

function connect() {
  const events = new EventSource('events');
  events.onopen = () => { $('status').dataset.state = 'live'; $('status').textContent = 'live'; };
  events.onerror = () => { $('status').dataset.state = 'lost'; $('status').textContent = 'reconnecting…'; };
  for (const [name, draw] of Object.entries(HANDLERS)) {
    events.addEventListener(name, (e) => draw(JSON.parse(e.data)));
  }
}

connect();
setInterval(drawBalloons, 1000);
