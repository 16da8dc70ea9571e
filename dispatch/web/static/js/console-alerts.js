// Every pre-arrival alert and its state (sent, delivered, acknowledged, activated, declined,
// cancelled, arrived), escalations standing out: loaded over HTTP, then followed live on the
// dispatchers' stream /ws/dispatch/alerts.
//
// The stream's head is read first, then the alerts over HTTP, then the stream is followed from
// that head: a frame may repeat what the load already showed, so frames are applied only when
// they do not take an alert back to an earlier state (statuses only move forward and
// escalation levels only rise).

import { api, byId, el, fmtTime, setLive, toast } from './core.js';
import { onLangChange, t } from './i18n.js';
import { openStream } from './stream.js';
import { isEscalated } from './console-cases.js';
import { canAct, openAlertCancel } from './console-actions.js';
import { callsign, facilityName, pathwayName, state, timer } from './console-util.js';

const RANK = { sent: 0, delivered: 1, acknowledged: 2, activated: 3, declined: 3, cancelled: 4, arrived: 4 };
const SHOW_CLOSED_MS = 2 * 3600_000; // answered or closed alerts stay listed this long
const MAX_SHOWN = 40;

const alerts = new Map(); // id → alert view
let loadedAt = 0;
/** @type {() => void} */
let changed = () => {};
/** @type {(alert: any) => void} the alert view (the API's JSON) */
let created = () => {};

/**
 * Load the alerts, then follow the stream; `onChange()` after every change, `onCreated(alert)`
 * when a new alert arrives (its case may be new to the console too).
 * @param {{onChange: () => void, onCreated: (alert: any) => void}} hooks
 */
export async function startAlerts({ onChange, onCreated }) {
  changed = onChange;
  created = onCreated;
  const head = await api('/dispatch/alerts?since=0&limit=1');
  await load();
  onLangChange(render);
  return openStream('/ws/dispatch/alerts', {
    since: Number(head.head || 0),
    epoch: Number(head.epoch || 0),
    confirm: false, // the dispatchers are not the receiving team: nothing to confirm
    onFrame: take,
    onState: setLive,
    onReset: () => {
      alerts.clear();
      load();
    },
  });
}

async function load() {
  const [open, recent] = await Promise.all([api('/alerts?open=true&limit=500'), api('/alerts?limit=50')]);
  loadedAt = Date.now();
  for (const alert of [...recent, ...open]) alerts.set(alert.id, alert);
  update();
}

function older(next, current) {
  const a = RANK[next.status] ?? 0;
  const b = RANK[current.status] ?? 0;
  return a < b || (a === b && next.escalation_level < current.escalation_level);
}

function take(frame) {
  if (frame.type === 'ecg.escalated') { // a tracing the county's ECG centre has not read yet
    const ecg = frame.ecg;
    // readers_on_duty false: nobody is on the ECG centre's rota now, every reader was told
    const key = ecg.readers_on_duty === false ? 'console.ecg.unread.nobody' : 'console.ecg.unread';
    toast(t(key, { id: ecg.case_id, from: facilityName(ecg.from_facility_id) || ecg.from_ambulance_id || '', level: ecg.escalation_level }), 'error', 15_000);
    return;
  }
  const next = frame.alert;
  if (!next || typeof next.id !== 'number') return;
  const current = alerts.get(next.id);
  if (current) {
    if (older(next, current)) return; // a replayed frame from before the HTTP load
  } else {
    if (Date.parse(next.created_at) < loadedAt - 60_000) return; // an old, closed alert being replayed
    if (frame.type === 'alert.created') toast(t('console.alerts.new', { facility: facilityName(next.to_facility_id), id: next.case_id }));
  }
  alerts.set(next.id, next);
  update();
  if (!current) created(next);
}

function update() {
  state.alertsByCase = new Map();
  for (const alert of [...alerts.values()].sort((a, b) => a.id - b.id)) {
    if (!state.alertsByCase.has(alert.case_id)) state.alertsByCase.set(alert.case_id, []);
    state.alertsByCase.get(alert.case_id).push(alert);
  }
  render();
  changed();
}

function order(alert) {
  if (isEscalated(alert)) return 0;
  if (alert.status === 'declined') return 1; // the patient needs another destination
  if (RANK[alert.status] <= 1) return 2;
  if (!alert.closed_at) return 3;
  return 4;
}

function shown() {
  const now = Date.now();
  return [...alerts.values()]
    .filter((a) => (!a.closed_at && a.status !== 'declined') || now - Date.parse(a.closed_at || a.answered_at || a.created_at) < SHOW_CLOSED_MS)
    .sort((a, b) => order(a) - order(b) || b.id - a.id)
    .slice(0, MAX_SHOWN);
}

function render() {
  const list = document.getElementById('alerts-list');
  if (!list) return;
  const items = shown();
  const escalated = items.filter(isEscalated).length;
  const banner = document.getElementById('alerts-escalated');
  banner.hidden = escalated === 0;
  banner.textContent = t('console.alerts.escalated.count', { n: escalated });
  byId('alerts-empty').hidden = items.length > 0;
  list.replaceChildren(...items.map(item));
  renderEscalations();
}

/**
 * The escalation reminders in their own panel (never toasts over the map): one entry per
 * unanswered escalated alert, updated in place as its level rises, gone once answered; each
 * with the receiving centre's phone to call.
 */
function renderEscalations() {
  const escalated = [...alerts.values()].filter(isEscalated).sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  byId('escalations-panel').hidden = escalated.length === 0;
  byId('escalations').replaceChildren(...escalated.map((alert) => {
    const phone = state.facilities.get(alert.to_facility_id)?.phone;
    return el('li', { class: 'escalation-item', dataset: { alertId: alert.id, caseId: alert.case_id, level: alert.escalation_level } },
      el('strong', {}, t('console.escalations.item', { facility: facilityName(alert.to_facility_id), id: alert.case_id, level: alert.escalation_level })),
      el('div', {}, t('console.alerts.waiting', { elapsed: '' }), timer(alert.created_at),
        ' · ', phone ? el('a', { class: 'escalation-phone', href: `tel:${phone}` }, t('console.escalations.call', { phone })) : t('console.escalations.no.phone')));
  }));
}

function sender(alert) {
  if (alert.from_facility_id) return facilityName(alert.from_facility_id);
  if (alert.from_ambulance_id) return callsign(alert.from_ambulance_id);
  return alert.sent_by;
}

function item(alert) {
  const escalated = isEscalated(alert);
  const waiting = RANK[alert.status] <= 1 && !alert.closed_at;
  return el('li', {
    class: `alert-item state-${alert.status}${escalated ? ' escalated' : ''}`,
    dataset: { alertId: alert.id, caseId: alert.case_id, status: alert.status, escalated: String(escalated) },
  },
  el('div', { class: 'alert-head' },
    el('span', { class: `alert-state state-${alert.status}` }, t(`console.alerts.state.${alert.status}`)),
    escalated && el('span', { class: 'escalation' }, t('console.alerts.escalated', { level: alert.escalation_level })),
    el('span', { class: `pathway pathway-${alert.pathway}` }, pathwayName(alert.pathway, { short: true })),
    alert.drill && el('span', { class: 'drill-badge' }, t('console.cases.drill'))),
  el('div', { class: 'alert-route' },
    el('strong', {}, t('console.alerts.to', { facility: facilityName(alert.to_facility_id) })),
    ` · ${t('console.alerts.case', { id: alert.case_id })} · ${t('console.alerts.from', { sender: sender(alert) })}`),
  el('div', { class: 'alert-summary' }, alert.summary),
  el('div', { class: 'alert-times muted' },
    t('console.alerts.sent.at', { time: fmtTime(alert.created_at) }),
    waiting && [' · ', t('console.alerts.waiting', { elapsed: '' }), timer(alert.created_at, { lateMinutes: 1 })],
    alert.answered_at && ` · ${t('console.alerts.answered', { who: alert.answered_by || '', time: fmtTime(alert.answered_at) })}`,
    alert.eta_at && !alert.closed_at && ` · ${t('console.alerts.eta', { time: fmtTime(alert.eta_at, { seconds: false }) })}`),
  !alert.closed_at && canAct() && el('div', { class: 'alert-actions' },
    el('button', { type: 'button', class: 'small alert-cancel', onclick: () => openAlertCancel(alert) }, t('console.actions.alert.cancel'))));
}
