// provstation bench board: live units by stage, and the scan input a keyboard-wedge scanner
// types into. No framework: it must load instantly on any bench PC.
'use strict';

const STAGES = ['SCANNED', 'LEASED', 'SEEDED', 'PROFILED', 'FIRMWARE_STAGING', 'STAGED',
                'VERIFIED', 'READY', 'SHIPPED', 'FAILED'];
const units = new Map();
const session = (() => {
  let id = localStorage.getItem('provstation.session');
  if (!id) {
    id = 'bench-' + Math.random().toString(36).slice(2, 10);
    localStorage.setItem('provstation.session', id);
  }
  return id;
})();

const $ = (sel) => document.querySelector(sel);
const board = $('#board');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function macText(m) { return m.toUpperCase().match(/.{2}/g).join(':'); }

function renderBoard() {
  board.replaceChildren();
  const byStage = new Map(STAGES.map((s) => [s, []]));
  for (const u of units.values()) (byStage.get(u.stage) || byStage.get('FAILED')).push(u);
  let unscanned = 0;
  for (const s of STAGES) {
    const list = byStage.get(s).sort((a, b) => (a.stage_at || 0) - (b.stage_at || 0));
    const col = el('section', {class: 'column', 'data-stage': s},
                   el('h2', {}, s.replace('_', ' '), el('span', {class: 'count'}, String(list.length))));
    for (const u of list) {
      if (u.unscanned) unscanned++;
      const card = el('div', {class: `unit ${s.toLowerCase()}${u.unscanned ? ' unscanned' : ''}`,
                               'data-mac': u.mac, onclick: () => showDetail(u.mac)},
        el('div', {class: 'mac'}, macText(u.mac)),
        el('div', {class: 'meta'}, [u.model || u.reported.model, u.serial || u.reported.serial, u.ip]
            .filter(Boolean).join(' · ')),
        el('div', {class: 'meta'}, u.reported.version ? `fw ${u.reported.version}` +
            (u.target_version && u.target_version !== u.reported.version ? ` → ${u.target_version}` : '') : ''));
      if (u.unscanned) card.append(el('div', {class: 'flag'}, 'not scanned: scan its box'));
      if (u.failure) card.append(el('div', {class: 'reason'}, u.failure.reason));
      if (u.progress && u.progress.total > 0 && s === 'FIRMWARE_STAGING') {
        const p = el('progress', {max: String(u.progress.total), value: String(u.progress.bytes)});
        card.append(p, el('div', {class: 'meta'},
            `${Math.round(100 * u.progress.bytes / u.progress.total)} %`));
      }
      col.append(card);
    }
    board.append(col);
  }
  const total = units.size;
  const done = [...units.values()].filter((u) => ['VERIFIED', 'READY', 'SHIPPED'].includes(u.stage)).length;
  $('#summary').textContent = `${total} units · ${done} verified or later` +
      (unscanned ? ` · ${unscanned} unscanned` : '');
  const alerts = $('#alerts');
  alerts.hidden = unscanned === 0;
  alerts.textContent = unscanned ? `${unscanned} phone(s) on the bench whose box was not scanned: scan their boxes.` : '';
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; renderBoard(); });
}

function applyEvent(m) {
  if (m.type === 'unit') {
    units.set(m.unit.mac, m.unit);
    scheduleRender();
  } else if (m.type === 'progress') {
    const u = units.get(m.mac);
    if (u) { u.progress = {bytes: m.bytes, total: m.total}; scheduleRender(); }
  }
}

// The live events received while each snapshot is on its way: the snapshot may be older than
// they are, so they are applied again on top of it.
const sinceSnapshot = new Set();

async function loadUnits() {
  const since = [];
  sinceSnapshot.add(since);
  try {
    const r = await fetch('/api/units?limit=10000');
    const j = await r.json();
    units.clear();
    for (const u of j.units) units.set(u.mac, u);
    for (const m of since) applyEvent(m);
    scheduleRender();
  } finally {
    sinceSnapshot.delete(since);
  }
}

function connectEvents() {
  const es = new EventSource('/api/events');
  es.onopen = () => { $('#live').className = 'online'; loadUnits(); };
  es.onerror = () => { $('#live').className = 'offline'; };
  es.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    for (const since of sinceSnapshot) since.push(m);
    applyEvent(m);
  };
}

// Feedback the operator hears without looking: a high beep for a good scan, a low buzz for a bad one.
let audio;
function beep(ok) {
  try {
    audio = audio || new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = ok ? 'sine' : 'square';
    o.frequency.value = ok ? 1200 : 220;
    g.gain.value = 0.15;
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + (ok ? 0.12 : 0.45));
  } catch (e) { /* no audio device */ }
}

function status(kind, text) {
  const s = $('#scan-status');
  s.className = kind;
  s.textContent = text;
}

async function submitScan(text) {
  if (!text.trim()) return;
  // A bounded wait: the lines queue behind this one (see the scan form below).
  const r = await fetch(`/api/scans?session=${encodeURIComponent(session)}`,
                        {method: 'POST', headers: {'Content-Type': 'text/plain'}, body: text,
                         signal: AbortSignal.timeout(10000)});
  const j = await r.json().catch(() => ({error: `HTTP ${r.status}`}));
  if (r.status === 201) {
    const u = j.unit;
    status('ok', `✔ ${macText(u.mac)} ${u.serial} ${u.model}${j.merged ? ' (merged with the phone on the bench)' : ''}`);
    beep(true);
  } else if (r.status === 202) {
    const f = j.fields || {};
    const have = ['mac', 'serial', 'model'].filter((k) => f[k]).join(', ');
    status('partial', `… have ${have || 'nothing yet'}; scan the rest of this box`);
  } else if (r.status === 200 && j.status === 'repeated') {
    status('ok', 'same box again: ignored');
  } else {
    status('bad', `✖ ${j.error || 'refused'}`);
    beep(false);
  }
}

const input = $('#scan');
// Scan lines go to the station one at a time, in the order they were typed: a wedge scanner
// types a whole box faster than the replies come back, and concurrent requests may be answered
// out of order, leaving the feedback of an earlier line ("partial") over the box's "ok".
let scanQueue = Promise.resolve();
$('#scan-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = input.value;
  input.value = '';
  scanQueue = scanQueue.then(() => submitScan(text))
      .catch((e) => { status('bad', `✖ ${e}`); beep(false); });
});
// Keep the scan input focused: a wedge scanner types wherever the focus is.
document.addEventListener('click', (ev) => {
  if (!ev.target.closest('dialog') && !ev.target.closest('a')) setTimeout(() => input.focus(), 0);
});
$('#undo').addEventListener('click', async () => {
  const r = await fetch(`/api/scans/undo?session=${encodeURIComponent(session)}`, {method: 'POST'});
  const j = await r.json().catch(() => ({}));
  status(r.ok ? 'idle' : 'bad', r.ok ? `undone (${j.status})` : `✖ ${j.error || 'nothing to undo'}`);
  input.focus();
});

async function showDetail(mac) {
  const r = await fetch(`/api/units/${mac}`);
  const u = await r.json();
  $('#detail-title').textContent = `${macText(u.mac)} — ${u.stage}`;
  const rows = u.facts.map((f) => el('tr', {},
      el('td', {}, new Date(f.at).toLocaleTimeString()), el('td', {}, f.kind),
      el('td', {}, f.ip || ''), el('td', {}, JSON.stringify(f.detail))));
  const retry = u.failure ? el('button', {onclick: async () => {
    await fetch(`/api/units/${u.mac}/retry`, {method: 'POST'});
    $('#detail').close();
  }}, 'Retry') : null;
  $('#detail-body').replaceChildren(
      el('p', {}, `${u.model} ${u.serial} · IP ${u.ip || '—'} · firmware ${u.reported.version || '—'}` +
         (u.target_version ? ` (target ${u.target_version})` : '')),
      u.failure ? el('p', {class: 'reason'}, `Failed in ${u.failure.stage}: ${u.failure.reason}`) : '',
      retry || '',
      el('table', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'fact'), el('th', {}, 'ip'),
                            el('th', {}, 'detail')), ...rows));
  $('#detail').showModal();
}

loadUnits();
connectEvents();
