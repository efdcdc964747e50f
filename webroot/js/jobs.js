// The jobs panel: the newest jobs with their state and counts per target state, from GET /api/v1/jobs at start, then
// live: the sched role publishes each job's summary on mirador.live.jobs as it moves. Hidden when the hub has jobs
// off (the API answers 403: hub.jobs.enabled).
import { getJson } from './api.js';
import { bus, LIVE_JOBS, onReconnect } from './bus.js';

const SHOWN = 20;
const $ = (selector) => document.querySelector(selector);
const jobs = new Map();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.dataset[key.slice(5)] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function row(job) {
  const counts = job.counts || {};
  const n = (state) => counts[state] || 0;
  const failed = n('FAILED') + n('TIMED_OUT') + n('UNREACHABLE');
  const other = n('WAITING') + n('CANCELLED') + n('SKIPPED');
  const started = job.startedAt ? new Date(job.startedAt).toLocaleTimeString() : '';
  const origin = job.origin && job.origin.template ? ' (' + job.origin.template + ' v' + job.origin.version + ')' : '';
  return el('tr', { 'data-id': job.id, 'data-state': job.state },
    el('td', { class: 'id', title: job.id }, job.id + origin),
    el('td', { class: 'script', title: job.script || '' }, (job.script || '').split('\n')[0]),
    el('td', { class: 'state' }, el('span', { class: 'pill job-' + job.state.toLowerCase() }, job.state.toLowerCase())),
    el('td', { class: 'num' }, String(job.total || 0)),
    el('td', { class: 'num' }, String(n('SUCCEEDED'))),
    el('td', { class: 'num' }, String(failed)),
    el('td', { class: 'num' }, String(n('RUNNING'))),
    el('td', { class: 'num' }, String(other)),
    el('td', { class: 'since' }, started),
    el('td', { class: 'summary', title: job.reason || '' }, job.reason || ''));
}

function render() {
  const shown = [...jobs.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, SHOWN);
  $('#jobs tbody').replaceChildren(...shown.map(row));
  $('#jobs-empty').hidden = shown.length > 0;
  const running = shown.filter((j) => j.state === 'RUNNING' || j.state === 'WAITING').length;
  $('#jobs-summary').textContent = running ? running + ' running' : '';
}

async function refresh() {
  try {
    const body = await getJson('/jobs?limit=' + SHOWN);
    jobs.clear();
    for (const job of body.jobs || []) jobs.set(job.id, job);
    $('#jobs-panel').hidden = false;
    $('#jobs-error').hidden = true;
    render();
  } catch (e) {
    if (String(e.message).includes('hub.jobs.enabled')) {
      $('#jobs-panel').hidden = true; // jobs are off on this hub
      return;
    }
    $('#jobs-error').textContent = 'jobs not read: ' + e.message;
    $('#jobs-error').hidden = false;
  }
}

bus.subscribe(LIVE_JOBS, (job) => {
  if (!job || !job.id) return;
  jobs.set(job.id, job);
  while (jobs.size > SHOWN * 5) jobs.delete([...jobs.values()].sort((a, b) => a.createdAt - b.createdAt)[0].id);
  render();
});
onReconnect(() => refresh());
refresh();
