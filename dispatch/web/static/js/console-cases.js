// Active cases with running timers since the call and since first medical contact (from each
// case's timeline), their ambulance, destination and ETA, and their alerts' states.

import { api, byId, el, fmtTime } from './core.js';
import { onLangChange, t } from './i18n.js';
import { showPoint } from './console-map.js';
import { takeCase } from './console-call.js';
import { callsign, facilityName, firstStamp, pathwayName, poll, state, timer } from './console-util.js';

const CASES_MS = 10_000;
/** @type {Record<string, number>} */
const FMC_LATE_MINUTES = { stemi: 90 }; // FMC → wire, direct (docs/domain.md, "Other chest-pain targets")

/** @type {any[]} */
let cases = []; // full case views (GET /cases/{id}, the API's JSON), newest first
/** @type {number | null} */
let highlight = null;

/** Start following the active cases; returns `{refresh(highlightId)}`. */
export function startCases() {
  const poller = poll(load, CASES_MS, 'cases');
  onLangChange(render);
  return {
    /** @param {number | null} [id] */
    refresh(id = null) {
      highlight = id;
      return poller.now();
    },
  };
}

async function load() {
  const active = await api('/cases?status=active&limit=100');
  const known = new Map(cases.map((c) => [c.id, c]));
  /** @type {unknown[]} */
  const failures = [];
  const views = await Promise.all(active.map((/** @type {{id: number}} */ summary) => api(`/cases/${summary.id}`).catch((error) => {
    failures.push(error);
    return known.get(summary.id) || null; // the copy from the last refresh, until it loads again
  })));
  cases = views.filter(Boolean);
  render();
  if (failures.length) throw failures[0]; // shown stale by poll(), until a refresh loads every case
}

/** Draw the table again (e.g. after the alerts or the fleet changed). */
export function render() {
  const body = document.getElementById('cases-body');
  if (!body) return;
  byId('cases-empty').hidden = cases.length > 0;
  byId('cases-count').textContent = String(cases.length);
  body.replaceChildren(...cases.map(row));
}

/** @param {any} found a case view (the API's JSON) */
function row(found) {
  const called = firstStamp(found.timeline, 'call_received') || found.created_at;
  const fmc = firstStamp(found.timeline, 'first_medical_contact');
  const ambulance = found.ambulance_id ? state.ambulances.get(found.ambulance_id) : null;
  const alerts = state.alertsByCase.get(found.id) || [];
  const canDispatch = ['dispatcher', 'admin'].includes(state.user?.role ?? '');
  const tr = el('tr', { dataset: { caseId: found.id, ambulanceId: found.ambulance_id || '' }, class: found.id === highlight ? 'new' : '' },
    el('td', {}, el('button', { type: 'button', class: 'link case-show', title: t('console.cases.show', { id: found.id }), onclick: () => showPoint(found.lon, found.lat, t('console.cases.patient', { id: found.id })) }, `#${found.id}`)),
    el('td', {}, el('span', { class: `pathway pathway-${found.pathway}` }, pathwayName(found.pathway, { short: true })),
      found.drill && el('span', { class: 'drill-badge' }, t('console.cases.drill'))),
    el('td', {}, fmtTime(called)),
    el('td', { class: 'num' }, timer(called)),
    el('td', { class: 'num' }, fmc ? timer(fmc, { lateMinutes: FMC_LATE_MINUTES[found.pathway] ?? null }) : el('span', { class: 'muted' }, t('console.cases.no.fmc'))),
    el('td', {}, found.ambulance_id
      ? [el('strong', {}, callsign(found.ambulance_id)), ambulance && el('span', { class: `amb-chip amb-${ambulance.status}` }, t(`console.status.${ambulance.status}`))]
      : [el('span', { class: 'muted' }, t('console.cases.no.ambulance')),
        canDispatch && el('button', { type: 'button', class: 'primary small', onclick: () => takeCase(found) }, t('console.call.dispatch'))]),
    el('td', {}, found.destination_facility_id ? facilityName(found.destination_facility_id) : '—',
      found.eta_minutes !== null && found.eta_at && el('div', { class: 'muted' }, `${Math.round(found.eta_minutes)}′ · ${fmtTime(found.eta_at, { seconds: false })}`)),
    el('td', {}, alerts.map((alert) => el('span', { class: `alert-chip state-${alert.status}${isEscalated(alert) ? ' escalated' : ''}` }, t(`console.alerts.state.${alert.status}`)))));
  return tr;
}

/**
 * Unanswered and escalated.
 * @param {{escalation_level: number, status: string}} alert
 */
export function isEscalated(alert) {
  return alert.escalation_level > 0 && (alert.status === 'sent' || alert.status === 'delivered');
}
