// Mirador dashboard: the agents registry, live charts and check results of the selected agent.
// Data comes from the REST API (initial state, history) and the SockJS bridge (everything after).
'use strict';

(() => {
  const API = '/api/v1';
  const WINDOW_MS = 15 * 60 * 1000;
  const LIVE_AGENTS = 'mirador.live.agents';
  const liveMetrics = (id) => 'mirador.live.metrics.' + id;
  const LIVE_RESULTS = 'mirador.live.results';
  const STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
  const SEVERITY = [0, 2, 3, 1]; // sort order by status: CRITICAL first, then WARNING, UNKNOWN, OK

  const C = {
    cyan: '#38bdf8', violet: '#a78bfa', amber: '#fbbf24', pink: '#f472b6', green: '#34d399',
    text: '#8b98a8', grid: 'rgba(148, 163, 184, 0.10)',
  };
  const FONT = '"Inter", "Segoe UI", system-ui, -apple-system, Roboto, "DejaVu Sans", "Liberation Sans", sans-serif';

  // What each chart draws. A line sums every series of its metric whose tags match `tags`
  // and are not excluded by `exclude` (so disk and network lines are totals over devices).
  const CHARTS = [
    { id: 'cpu', unit: 'pct', max: 100, lines: [
      { label: 'total', metric: 'cpu.usage', tags: { cpu: 'total' }, color: C.cyan, fill: true },
      { label: 'user', metric: 'cpu.user', tags: { cpu: 'total' }, color: C.violet },
      { label: 'system', metric: 'cpu.system', tags: { cpu: 'total' }, color: C.amber },
      { label: 'iowait', metric: 'cpu.iowait', tags: { cpu: 'total' }, color: C.pink },
    ] },
    { id: 'mem', unit: 'pct', max: 100, lines: [
      { label: 'memory', metric: 'memory.used_pct', color: C.violet, fill: true },
      { label: 'swap', metric: 'swap.used_pct', color: C.amber },
    ] },
    { id: 'load', unit: 'load', lines: [
      { label: '1 min', metric: 'load.1', color: C.green, fill: true },
      { label: '5 min', metric: 'load.5', color: C.cyan },
      { label: '15 min', metric: 'load.15', color: C.violet },
    ] },
    { id: 'disk', unit: 'rate', lines: [
      { label: 'read', metric: 'disk.read_bytes', color: C.cyan, fill: true },
      { label: 'write', metric: 'disk.write_bytes', color: C.pink, fill: true },
    ] },
    { id: 'net', unit: 'rate', lines: [
      { label: 'rx', metric: 'net.rx_bytes', exclude: { iface: 'lo' }, color: C.green, fill: true },
      { label: 'tx', metric: 'net.tx_bytes', exclude: { iface: 'lo' }, color: C.amber, fill: true },
    ] },
  ];
  const LINES_BY_METRIC = new Map();
  for (const chart of CHARTS) {
    for (const line of chart.lines) {
      line.chart = chart;
      line.points = [];          // [{x, y}] sorted by x, what Chart.js draws
      line.buckets = new Map();  // x -> Map(series key -> value), to sum devices per instant
      if (!LINES_BY_METRIC.has(line.metric)) LINES_BY_METRIC.set(line.metric, []);
      LINES_BY_METRIC.get(line.metric).push(line);
    }
  }

  const $ = (sel) => document.querySelector(sel);
  const agents = new Map();
  const rows = new Map();
  const latest = new Map(); // "name|tags" -> {name, tags, value, ts}
  const checks = new Map(); // check name -> latest result of the selected agent
  let selected = null;
  let selectToken = 0;
  let unsubscribeMetrics = null;
  let clockOffset = 0; // server clock minus browser clock, so the window follows the agents' timestamps
  let everLive = false;

  const now = () => Date.now() + clockOffset;

  // ---------- formatting ----------

  const pad = (n) => String(n).padStart(2, '0');
  function hms(ms) {
    const d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function bytes(v) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    let n = Math.abs(v);
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    const s = i === 0 ? String(Math.round(n * 10) / 10) : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
    return (v < 0 ? '-' : '') + s + ' ' + units[i];
  }
  function fmt(unit, v) {
    if (v == null || !isFinite(v)) return '–';
    switch (unit) {
      case 'pct': return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + '%';
      case 'rate': return bytes(v) + '/s';
      case 'bytes': return bytes(v);
      case 'load': return v.toFixed(2);
      default: return String(v);
    }
  }
  function axisFmt(unit, v) {
    if (unit === 'pct') return v + '%';
    if (unit === 'rate') return v === 0 ? '0' : bytes(v).replace(/\.0+ /, ' ') + '/s';
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }
  function ago(ms) {
    if (!ms) return '—';
    const s = Math.max(0, Math.round((now() - ms) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm ago';
    return Math.floor(s / 86400) + 'd ago';
  }
  function duration(seconds) {
    if (seconds == null || !isFinite(seconds)) return '–';
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    return m > 0 ? m + 'm' : s + 's';
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // ---------- REST ----------

  async function getJson(path) {
    let res;
    try {
      res = await fetch(API + path, { headers: { Accept: 'application/json' } });
    } catch (e) {
      apiError('API unreachable');
      throw e;
    }
    if (!res.ok) {
      let detail = res.status + ' ' + res.statusText;
      try { const body = await res.json(); detail = body.error + (body.detail ? ': ' + body.detail : ''); } catch (e) { /* keep status */ }
      if (res.status === 401) location.replace('/login.html'); // no session, or it ended: log in (js/session.js)
      const err = new Error(detail);
      err.status = res.status;
      if (res.status >= 500) apiError('API error: ' + detail);
      throw err;
    }
    apiError(null);
    return res.json();
  }
  function apiError(text) {
    const e = $('#api-error');
    e.hidden = !text;
    e.textContent = text || '';
  }

  // ---------- agents table ----------

  function upsertAgent(agent) {
    if (!agent || !agent.id) return;
    agents.set(agent.id, Object.assign(agents.get(agent.id) || {}, agent));
  }

  async function loadAgents() {
    const body = await getJson('/agents');
    const seen = new Set();
    for (const a of body.agents || []) { upsertAgent(a); seen.add(a.id); }
    for (const id of [...agents.keys()]) if (!seen.has(id)) agents.delete(id);
    renderAgents();
  }

  function onAgentEvent(msg) {
    if (!msg || !msg.agent) return;
    if (msg.event === 'removed') agents.delete(msg.agent.id);
    else upsertAgent(msg.agent);
    renderAgents();
  }

  function renderAgents() {
    const tbody = $('#agents tbody');
    const list = [...agents.values()].sort((a, b) =>
      String(a.hostname || '').localeCompare(String(b.hostname || '')) || a.id.localeCompare(b.id));
    const counts = { up: 0, stale: 0, down: 0 };
    list.forEach((a, i) => {
      counts[a.status] = (counts[a.status] || 0) + 1;
      let row = rows.get(a.id);
      if (!row) {
        row = createRow(a.id);
        rows.set(a.id, row);
      }
      updateRow(row, a);
      if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] || null);
    });
    for (const [id, row] of rows) {
      if (!agents.has(id)) { row.remove(); rows.delete(id); }
    }
    $('#count-up').textContent = counts.up;
    $('#count-stale').textContent = counts.stale;
    $('#count-down').textContent = counts.down;
    $('#agents-empty').hidden = list.length > 0;

    if (selected && !agents.has(selected)) deselect();
    if (!selected && list.length) {
      const wanted = hashAgent();
      const firstUp = list.find((a) => a.status === 'up') || list[0];
      selectAgent(wanted && agents.has(wanted) ? wanted : firstUp.id);
    } else if (selected) {
      renderDetailHead();
    }
  }

  function createRow(id) {
    const row = el('tr');
    row.dataset.agentId = id;
    row.tabIndex = 0;
    for (const cls of ['host', 'ips', 'status', 'lastseen', 'os', 'version', 'num received', 'num gaps', 'num duplicates']) {
      row.appendChild(el('td', cls));
    }
    const go = () => { location.hash = 'agent=' + encodeURIComponent(id); };
    row.addEventListener('click', go);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
    return row;
  }

  function updateRow(row, a) {
    const cells = row.children;
    row.dataset.status = a.status || '';
    row.classList.toggle('selected', a.id === selected);

    const host = cells[0];
    host.replaceChildren(el('span', 'hostname', a.hostname || a.id), el('span', 'agent-id', a.id.slice(0, 8)));
    host.title = a.id;
    cells[1].textContent = (a.ips || []).join(', ') || '—';
    const pill = el('span', 'pill ' + (a.status || 'unknown'), a.status || '?');
    cells[2].replaceChildren(pill);
    cells[2].title = a.statusSince ? a.status + ' since ' + new Date(a.statusSince).toLocaleString() : '';
    cells[3].dataset.ts = a.lastSeen || '';
    cells[3].textContent = ago(a.lastSeen);
    cells[4].textContent = a.os || '—';
    cells[5].textContent = a.version || '—';
    setCount(cells[6], a.received, false);
    setCount(cells[7], a.gaps, true);
    setCount(cells[8], a.duplicates, true);
  }

  function setCount(td, n, warnIfPositive) {
    td.textContent = n == null ? '—' : Number(n).toLocaleString('en-US');
    td.classList.toggle('warn', warnIfPositive && n > 0);
  }

  // ---------- selection ----------

  function hashAgent() {
    const m = /(?:^#|&)agent=([^&]*)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  window.addEventListener('hashchange', () => {
    const id = hashAgent();
    if (id && agents.has(id)) selectAgent(id);
  });

  function selectAgent(id) {
    if (id === selected) return;
    selected = id;
    const token = ++selectToken;
    if (hashAgent() !== id) history.replaceState(null, '', '#agent=' + encodeURIComponent(id));
    for (const [rid, row] of rows) row.classList.toggle('selected', rid === id);

    if (unsubscribeMetrics) unsubscribeMetrics();
    resetCharts();
    latest.clear();
    showDetail(id);
    unsubscribeMetrics = bus.subscribe(liveMetrics(id), (body) => {
      if (selected !== id || !body || !Array.isArray(body.samples)) return;
      ingest(body.samples);
    });
    loadHistory(id, token);
    loadLatest(id, token);
    checks.clear();
    renderChecks();
    loadChecks(id, token);
  }

  function deselect() {
    if (unsubscribeMetrics) unsubscribeMetrics();
    unsubscribeMetrics = null;
    selected = null;
    selectToken++;
    resetCharts();
    latest.clear();
    checks.clear();
    renderChecks();
    showDetail(null);
  }

  // ---------- checks ----------

  async function loadChecks(id, token) {
    try {
      const body = await getJson('/results?agent=' + encodeURIComponent(id));
      if (token !== selectToken) return;
      for (const r of body.results || []) upsertCheck(r);
      renderChecks();
    } catch (e) { /* shown by apiError */ }
  }

  function upsertCheck(r) {
    const known = checks.get(r.check);
    if (!known || r.executed >= known.executed) checks.set(r.check, r);
  }

  function onResult(r) {
    if (!r || r.agent !== selected) return;
    upsertCheck(r);
    renderChecks();
  }

  function renderChecks() {
    const panel = $('#checks-panel');
    const tbody = $('#checks tbody');
    const list = [...checks.values()].sort((a, b) =>
      (SEVERITY[a.status] - SEVERITY[b.status]) || a.check.localeCompare(b.check));
    panel.dataset.checks = list.length;
    $('#checks-empty').hidden = list.length > 0;
    $('#checks').hidden = list.length === 0;
    const bad = list.filter((r) => r.status !== 0).length;
    $('#checks-summary').textContent = list.length ? list.length + (list.length === 1 ? ' check' : ' checks') + (bad ? ', ' + bad + ' not OK' : ', all OK') : '';
    tbody.replaceChildren(...list.map((r) => {
      const tr = el('tr');
      tr.dataset.check = r.check;
      tr.dataset.status = r.status;
      tr.append(el('td', 'name', r.check));
      const status = el('td');
      const state = STATES[r.status] || 'UNKNOWN';
      status.append(el('span', 'pill ' + state.toLowerCase(), state));
      if (r.flapping) {
        const badge = el('span', 'badge flapping', 'flapping');
        badge.title = 'state changed ' + r.percentStateChange + '% of the time over the last ' + (r.history || []).length + ' runs';
        status.append(badge);
      }
      tr.append(status);
      const output = el('td', 'output', (r.output || '').split('\n')[0]);
      output.title = r.output || '';
      tr.append(output);
      const when = el('td', 'lastrun', ago(r.executed));
      when.dataset.ts = r.executed;
      when.title = new Date(r.executed).toLocaleString() + ' · ' + r.duration_ms + ' ms';
      tr.append(when);
      return tr;
    }));
  }

  function showDetail(id) {
    const detail = $('#detail');
    detail.hidden = !id;
    if (id) detail.dataset.agentId = id;
    else delete detail.dataset.agentId;
    renderDetailHead();
    renderTiles();
    renderMounts();
  }

  function renderDetailHead() {
    const a = agents.get(selected);
    if (!a) return;
    $('#agent-title').textContent = a.hostname || a.id;
    const pill = $('#agent-status');
    pill.className = 'pill ' + (a.status || 'unknown');
    pill.textContent = a.status || '?';
    const parts = [a.id];
    if (a.os) parts.push(a.os);
    if (a.ips && a.ips.length) parts.push(a.ips.join(', '));
    if (a.interval) parts.push('heartbeat every ' + a.interval + 's');
    if (a.busy) parts.push('busy');
    $('#agent-meta').textContent = parts.join('  ·  ');
  }

  // ---------- metrics ----------

  async function loadHistory(id, token) {
    const queries = [];
    for (const [metric, lines] of LINES_BY_METRIC) {
      const params = new URLSearchParams({ agent: id, metric, from: '-15m' });
      for (const [k, v] of Object.entries(lines[0].tags || {})) params.append('tag.' + k, v);
      queries.push(getJson('/series?' + params).then((body) => {
        if (token !== selectToken) return;
        if (typeof body.to === 'number') clockOffset = body.to - Date.now();
        const samples = [];
        for (const s of body.series || []) {
          for (const [ts, value] of s.points || []) samples.push({ name: s.metric, tags: s.tags || {}, value, ts });
        }
        ingest(samples, false);
      }).catch((e) => console.warn('history of', metric, e.message)));
    }
    await Promise.all(queries);
    if (token === selectToken) redrawCharts();
  }

  async function loadLatest(id, token) {
    try {
      const body = await getJson('/agents/' + encodeURIComponent(id) + '/latest');
      if (token !== selectToken) return;
      remember((body.series || []).map((s) => ({ name: s.metric, tags: s.tags || {}, value: s.value, ts: s.ts })));
      renderTiles();
      renderMounts();
    } catch (e) {
      console.warn('latest of', id, e.message);
    }
  }

  const tagsKey = (tags) => Object.keys(tags || {}).sort().map((k) => k + '=' + tags[k]).join(',');

  function matches(line, tags) {
    tags = tags || {};
    for (const [k, v] of Object.entries(line.tags || {})) if (tags[k] !== v) return false;
    for (const [k, v] of Object.entries(line.exclude || {})) if (tags[k] === v) return false;
    return true;
  }

  /** Adds samples to the charts (and, when live, to the latest values); redraws unless told not to. */
  function ingest(samples, live = true) {
    const cutoff = now() - WINDOW_MS;
    for (const s of samples) {
      if (typeof s.value !== 'number' || typeof s.ts !== 'number') continue;
      const lines = LINES_BY_METRIC.get(s.name);
      if (!lines || s.ts < cutoff) continue;
      const x = Math.round(s.ts / 1000) * 1000;
      const key = tagsKey(s.tags);
      for (const line of lines) {
        if (!matches(line, s.tags)) continue;
        let bucket = line.buckets.get(x);
        if (!bucket) { bucket = new Map(); line.buckets.set(x, bucket); }
        bucket.set(key, s.value);
        let sum = 0;
        for (const v of bucket.values()) sum += v;
        setPoint(line.points, x, sum);
      }
    }
    if (live) {
      remember(samples);
      renderTiles();
      if (samples.some((s) => s.name.startsWith('fs.'))) renderMounts();
      redrawCharts();
    }
  }

  function setPoint(points, x, y) {
    const n = points.length;
    if (n === 0 || points[n - 1].x < x) { points.push({ x, y }); return; }
    let lo = 0;
    let hi = n;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (points[mid].x < x) lo = mid + 1; else hi = mid; }
    if (lo < n && points[lo].x === x) points[lo].y = y;
    else points.splice(lo, 0, { x, y });
  }

  function remember(samples) {
    for (const s of samples) {
      const key = s.name + '|' + tagsKey(s.tags);
      const prev = latest.get(key);
      if (!prev || prev.ts <= s.ts) latest.set(key, s);
    }
  }

  const latestValue = (name, tags) => {
    const s = latest.get(name + '|' + tagsKey(tags));
    return s ? s.value : null;
  };

  function setTile(id, value, text, sub) {
    const tile = $('#tile-' + id);
    tile.dataset.value = value == null ? '' : value;
    tile.querySelector('.v').textContent = text;
    tile.querySelector('.s').textContent = sub || '\u00a0';
    tile.classList.toggle('hot', id !== 'uptime' && id !== 'load' && value != null && value >= 90);
  }

  function renderTiles() {
    const cpu = latestValue('cpu.usage', { cpu: 'total' });
    const user = latestValue('cpu.user', { cpu: 'total' });
    const sys = latestValue('cpu.system', { cpu: 'total' });
    setTile('cpu', cpu, fmt('pct', cpu), user != null && sys != null ? 'user ' + fmt('pct', user) + ' · system ' + fmt('pct', sys) : '');

    const mem = latestValue('memory.used_pct');
    const used = latestValue('memory.used');
    const total = latestValue('memory.total');
    setTile('mem', mem, fmt('pct', mem), used != null && total != null ? bytes(used) + ' of ' + bytes(total) : '');

    const cores = [...latest.values()].filter((s) => s.name === 'cpu.usage' && s.tags && s.tags.cpu !== 'total').length;
    const l1 = latestValue('load.1');
    const l5 = latestValue('load.5');
    const l15 = latestValue('load.15');
    const loadSub = l5 != null ? '5m ' + fmt('load', l5) + ' · 15m ' + fmt('load', l15) + (cores ? ' · ' + cores + ' cpus' : '') : '';
    setTile('load', l1, fmt('load', l1), loadSub);

    const up = latestValue('system.uptime');
    const procs = latestValue('processes.count');
    const threads = latestValue('threads.count');
    setTile('uptime', up, duration(up), procs != null ? procs + ' processes' + (threads != null ? ' · ' + threads + ' threads' : '') : '');
  }

  function renderMounts() {
    const list = $('#mounts');
    const mounts = [...latest.values()].filter((s) => s.name === 'fs.used_pct' && s.tags && s.tags.mount)
      .sort((a, b) => a.tags.mount.localeCompare(b.tags.mount));
    if (!mounts.length) {
      list.replaceChildren(el('li', 'muted', 'no file systems reported'));
      return;
    }
    list.replaceChildren(...mounts.map((s) => {
      const li = el('li');
      li.dataset.mount = s.tags.mount;
      li.dataset.value = s.value;
      const used = latestValue('fs.used', s.tags);
      const total = latestValue('fs.total', s.tags);
      const head = el('div', 'mount-head');
      head.append(el('span', 'mount', s.tags.mount),
        el('span', 'mount-size', used != null && total != null ? bytes(used) + ' / ' + bytes(total) : ''),
        el('span', 'mount-pct', fmt('pct', s.value)));
      const bar = el('div', 'bar');
      const fill = el('i', s.value >= 90 ? 'crit' : s.value >= 75 ? 'warn' : '');
      fill.style.width = Math.max(0, Math.min(100, s.value)) + '%';
      bar.appendChild(fill);
      li.append(head, bar);
      li.title = [s.tags.device, s.tags.type].filter(Boolean).join(' · ') + ' on ' + s.tags.mount;
      return li;
    }));
  }

  // ---------- charts ----------

  Chart.defaults.font.family = FONT;
  Chart.defaults.font.size = 11;
  Chart.defaults.color = C.text;

  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  /** Ticks on whole three-minute marks of the clock, whatever the window's edges are. */
  function clockTicks(min, max) {
    const step = 3 * 60 * 1000;
    const ticks = [];
    for (let v = Math.ceil(min / step) * step; v <= max; v += step) ticks.push({ value: v });
    return ticks;
  }

  /** A step of 1, 2 or 5 times a power of 1024 that cuts 0..max into at most four parts. */
  function binaryStep(max) {
    const raw = Math.max(max, 1) / 4;
    let unit = 1;
    while (unit * 1024 <= raw) unit *= 1024;
    for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1024]) if (unit * m >= raw) return unit * m;
    return unit * 1024;
  }

  function createChart(spec) {
    spec.card = document.getElementById('card-' + spec.id);
    spec.chart = new Chart(document.getElementById('chart-' + spec.id), {
      type: 'line',
      data: {
        datasets: spec.lines.map((line) => ({
          label: line.label,
          data: line.points,
          borderColor: line.color,
          backgroundColor: line.fill ? alpha(line.color, 0.10) : line.color,
          fill: line.fill ? 'origin' : false,
          borderWidth: line.fill ? 1.8 : 1.2,
          pointRadius: 0,
          pointHoverRadius: 3,
          cubicInterpolationMode: 'monotone',
          spanGaps: 60000, // break the line where the agent was silent for a minute or more
        })),
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', axis: 'x', intersect: false },
        layout: { padding: { top: 6, right: 4 } },
        scales: {
          x: {
            type: 'linear',
            min: now() - WINDOW_MS,
            max: now(),
            grid: { color: C.grid, drawTicks: false },
            border: { display: false },
            ticks: { maxRotation: 0, padding: 6, callback: (v) => hms(v) },
            afterBuildTicks: (axis) => { axis.ticks = clockTicks(axis.min, axis.max); },
          },
          y: {
            min: 0,
            max: spec.max,
            beginAtZero: true,
            grace: spec.max ? 0 : '10%',
            grid: { color: C.grid, drawTicks: false },
            border: { display: false },
            ticks: { maxTicksLimit: 5, padding: 6, callback: (v) => axisFmt(spec.unit, v) },
            // byte rates get ticks on round binary steps (256 KiB/s, 1 MiB/s…) rather than 4.77 MiB/s
            afterDataLimits: spec.unit === 'rate' ? (axis) => { axis.max = Math.ceil(axis.max / binaryStep(axis.max)) * binaryStep(axis.max); } : undefined,
            afterBuildTicks: spec.unit === 'rate' ? (axis) => {
              const step = binaryStep(axis.max);
              axis.ticks = [];
              for (let v = 0; v <= axis.max + step / 2; v += step) axis.ticks.push({ value: v });
            } : undefined,
          },
        },
        plugins: {
          legend: {
            position: 'top',
            align: 'end',
            labels: {
              boxWidth: 8,
              boxHeight: 8,
              useBorderRadius: true,
              borderRadius: 4,
              padding: 12,
              generateLabels: (chart) => Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .map((item) => Object.assign(item, { fillStyle: item.strokeStyle, lineWidth: 0 })),
            },
          },
          tooltip: {
            backgroundColor: 'rgba(15, 20, 28, 0.95)',
            borderColor: 'rgba(148, 163, 184, 0.25)',
            borderWidth: 1,
            callbacks: {
              title: (items) => (items.length ? hms(items[0].parsed.x) : ''),
              label: (item) => ' ' + item.dataset.label + '  ' + fmt(spec.unit, item.parsed.y),
            },
          },
        },
      },
    });
  }

  function resetCharts() {
    for (const spec of CHARTS) {
      for (const line of spec.lines) { line.points.length = 0; line.buckets.clear(); }
    }
    redrawCharts();
  }

  function prune() {
    const cutoff = now() - WINDOW_MS;
    for (const spec of CHARTS) {
      for (const line of spec.lines) {
        let drop = 0;
        while (drop < line.points.length && line.points[drop].x < cutoff) drop++;
        if (drop) line.points.splice(0, drop);
        for (const x of line.buckets.keys()) if (x < cutoff) line.buckets.delete(x);
      }
    }
  }

  function redrawCharts() {
    const t = now();
    for (const spec of CHARTS) {
      const x = spec.chart.options.scales.x;
      x.min = t - WINDOW_MS;
      x.max = t;
      spec.chart.update('none');
      let points = 0;
      let last = 0;
      for (const line of spec.lines) {
        points += line.points.length;
        if (line.points.length) last = Math.max(last, line.points[line.points.length - 1].x);
      }
      spec.card.dataset.points = points;
      spec.card.dataset.lastTs = last;
    }
  }

  // ---------- connection, clock, start ----------

  function onBusState(state) {
    const badge = $('#conn');
    badge.dataset.state = state;
    badge.querySelector('.label').textContent = state === 'live' ? 'live' : state;
    if (state === 'live') {
      if (everLive) resync(); // we may have missed updates while away
      everLive = true;
    }
  }

  function resync() {
    loadAgents().catch(() => {});
    if (selected) {
      loadHistory(selected, selectToken);
      loadLatest(selected, selectToken);
      loadChecks(selected, selectToken);
    }
  }

  function tick() {
    $('#clock').textContent = hms(now());
    for (const td of document.querySelectorAll('#agents td.lastseen, #checks td.lastrun')) td.textContent = ago(Number(td.dataset.ts));
  }

  CHARTS.forEach(createChart);
  const bus = new LiveBus('/eventbus', onBusState);
  window.miradorBus = bus; // one bridge connection for the page: the ES modules (js/bus.js) share it
  bus.subscribe(LIVE_AGENTS, onAgentEvent);
  bus.subscribe(LIVE_RESULTS, onResult);

  tick();
  setInterval(tick, 1000);
  setInterval(() => { prune(); redrawCharts(); }, 2000);
  setInterval(() => loadAgents().catch(() => {}), 60000);

  (async function start() {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 15000)) {
      try { await loadAgents(); return; } catch (e) { await new Promise((r) => setTimeout(r, delay)); }
    }
  })();
})();
