// The alerts panel: firing and pending alerts by severity (silenced and inhibited marked), a "silence for…" action per
// alert (POST /api/v1/silences on all its labels), and the firing count in the header. Read from GET /api/v1/alerts at
// start and again whenever the alert role says something changed (mirador.live.alerts) or the bridge reconnects.
import { getJson, postJson } from './api.js';
import { bus, LIVE_ALERTS, onReconnect } from './bus.js';

const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];
const DURATIONS = [['15m', 15], ['1h', 60], ['4h', 240], ['1d', 1440]];

const $ = (selector) => document.querySelector(selector);
const rank = (severity) => {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
};

let loading = null;
let again = false;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.dataset[key.slice(5).replace(/-(.)/g, (m, c) => c.toUpperCase())] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function since(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  return Math.floor(s / 86400) + 'd';
}

function silenceAction(alert) {
  const select = el('select', { class: 'silence-for', title: 'silence this alert (all its labels) for…' },
    el('option', { value: '' }, 'Silence for…'),
    ...DURATIONS.map(([label, minutes]) => el('option', { value: String(minutes) }, label)));
  select.addEventListener('click', (event) => event.stopPropagation());
  select.addEventListener('change', () => {
    const minutes = Number(select.value);
    if (!minutes) return;
    select.disabled = true;
    silence(alert, minutes).catch((e) => {
      select.disabled = false;
      select.value = '';
      showError('silence not created: ' + e.message);
    });
  });
  return select;
}

async function silence(alert, minutes) {
  const matchers = Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
  const endsAt = new Date(Date.now() + minutes * 60_000).toISOString();
  await postJson('/silences', {
    matchers, endsAt, createdBy: 'dashboard',
    comment: 'silenced from the dashboard for ' + DURATIONS.find(([, m]) => m === minutes)[0],
  });
  await refresh();
}

function showError(text) {
  const box = $('#alerts-error');
  box.textContent = text;
  box.hidden = !text;
}

function row(alert) {
  const severity = alert.labels.severity || 'none';
  const silenced = (alert.silencedBy || []).length > 0;
  const marks = el('td', { class: 'marks' });
  if (silenced) marks.append(el('span', { class: 'pill silenced', title: 'silences: ' + alert.silencedBy.join(', ') }, 'silenced'));
  if (alert.inhibited) marks.append(el('span', { class: 'pill inhibited', title: 'its agent is down' }, 'inhibited'));
  const where = alert.labels.hostname || alert.labels.agent || '';
  const detail = alert.annotations?.summary || alert.labels.check || alert.labels.metric || '';
  return el('tr', {
    'data-fingerprint': alert.fingerprint, 'data-rule': alert.rule, 'data-state': alert.state, 'data-severity': severity,
    'data-silenced': String(silenced),
  },
  el('td', { class: 'severity' }, el('span', { class: 'pill sev-' + severity }, severity)),
  el('td', { class: 'rule' }, alert.rule),
  el('td', { class: 'where' }, where),
  el('td', { class: 'state' }, el('span', { class: 'pill ' + alert.state }, alert.state)),
  el('td', { class: 'num value' }, alert.value == null ? '' : String(Math.round(alert.value * 100) / 100)),
  el('td', { class: 'since', title: alert.firedAt || alert.activeAt || '' }, since(alert.firedAt || alert.activeAt)),
  el('td', { class: 'summary', title: detail }, detail),
  marks,
  el('td', { class: 'action' }, silenced ? '' : silenceAction(alert)));
}

function render(alerts) {
  const shown = alerts.filter((a) => a.state === 'firing' || a.state === 'pending')
    .sort((a, b) => rank(a.labels.severity) - rank(b.labels.severity)
      || (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1)
      || a.rule.localeCompare(b.rule));
  const firing = shown.filter((a) => a.state === 'firing');
  const pending = shown.length - firing.length;
  const silenced = shown.filter((a) => (a.silencedBy || []).length > 0).length;
  const bySeverity = new Map();
  for (const a of firing) bySeverity.set(a.labels.severity || 'none', (bySeverity.get(a.labels.severity || 'none') || 0) + 1);

  const panel = $('#alerts-panel');
  panel.dataset.firing = firing.length;
  panel.dataset.pending = pending;
  $('#alerts-summary').textContent = [
    ...[...bySeverity].map(([severity, n]) => n + ' ' + severity),
    pending ? pending + ' pending' : '',
    silenced ? silenced + ' silenced' : '',
  ].filter(Boolean).join(' · ');
  $('#alerts tbody').replaceChildren(...shown.map(row));
  $('#alerts-empty').hidden = shown.length > 0;

  const unsilenced = firing.filter((a) => !(a.silencedBy || []).length).length;
  $('#count-alerts').textContent = firing.length;
  const count = $('#count-alerts-wrap');
  count.dataset.firing = firing.length;
  count.classList.toggle('hot', unsilenced > 0);
  count.title = firing.length + ' firing, ' + (firing.length - unsilenced) + ' of them silenced';
}

/** Reads the alerts again; calls that come while a read runs make one more read after it. */
export function refresh() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = getJson('/alerts').then((body) => {
    render(body.alerts || []);
    showError('');
  }).catch((e) => showError('alerts not read: ' + e.message)).finally(() => {
    loading = null;
    if (again) {
      again = false;
      refresh();
    }
  });
  return loading;
}

bus.subscribe(LIVE_ALERTS, () => refresh());
onReconnect(() => refresh());
setInterval(() => {
  refresh();
}, 30_000);
setInterval(() => {
  for (const td of document.querySelectorAll('#alerts td.since')) td.textContent = since(td.title);
}, 1_000);
refresh();
