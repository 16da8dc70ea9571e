// Active cases from one summary call (GET /cases?status=active: each case with its call, first
// medical contact and handover times), with running timers, their ambulance, destination and
// ETA where the ambulance is heading, their alerts' states, a stale flag, and what the
// dispatcher does to them (the mission dialog). Closed cases leave the list; none is dropped
// silently: past the page size the list says how many older ones there are.

import { api, byId, el, fmtTime } from './core.js';
import { onLangChange, t } from './i18n.js';
import { showPoint } from './console-map.js';
import { takeCase } from './console-call.js';
import { canAct, openCaseActions, openTransfer } from './console-actions.js';
import { callsign, facilityName, pathwayName, poll, state, timer } from './console-util.js';

const CASES_MS = 10_000;
const PAGE = 200;
/** @type {Record<string, number>} */
const FMC_LATE_MINUTES = { stemi: 90 }; // FMC → wire, direct (docs/domain.md, "Other chest-pain targets")
const TO_SCENE = ['dispatched', 'en_route'];
const TO_DESTINATION = ['transporting'];

/** @type {any[]} */
let cases = []; // the cases as listed (GET /cases, the API's JSON), newest first
let total = 0; // how many active cases there are (X-Total-Count)
let limit = PAGE;
/** @type {number | null} */
let highlight = null;
/** @type {Map<number, any>} case id → the decision's `activation` (cases with an activated alert) */
let activations = new Map();

/** Start following the active cases; returns `{refresh(highlightId)}`. */
export function startCases() {
  const poller = poll(load, CASES_MS, 'cases');
  onLangChange(render);
  byId('cases-more-button').addEventListener('click', () => {
    limit += PAGE;
    poller.now();
  });
  return {
    /** @param {number | null} [id] */
    refresh(id = null) {
      if (id !== null) highlight = id;
      return poller.now();
    },
  };
}

async function load() {
  const response = await api(`/cases?status=active&limit=${limit}`, { raw: true });
  cases = await response.json();
  state.cases = cases;
  total = Number(response.headers.get('X-Total-Count') || cases.length);
  await checkActivated();
  render();
}

/**
 * The decision of each case whose cath lab or stroke team was activated (few at a time): its
 * `activation` says whether the recommendation moved away from the destination kept.
 */
async function checkActivated() {
  const activated = cases.filter((found) => activatedAlert(found));
  const checks = await Promise.all(activated.map((found) => api(`/cases/${found.id}/decision`)
    .then((decision) => [found.id, decision.activation], () => [found.id, activations.get(found.id)])));
  activations = new Map(/** @type {[number, any][]} */ (checks));
}

/**
 * The case's latest activated alert, if any.
 * @param {any} found
 */
function activatedAlert(found) {
  const alerts = state.alertsByCase.get(found.id) || [];
  return alerts.filter((/** @type {any} */ a) => a.status === 'activated').pop() || null;
}

/** Draw the table again (e.g. after the alerts or the fleet changed). */
export function render() {
  const body = document.getElementById('cases-body');
  if (!body) return;
  byId('cases-empty').hidden = cases.length > 0;
  byId('cases-count').textContent = String(total);
  const more = total - cases.length;
  byId('cases-more').hidden = more <= 0;
  byId('cases-more-text').textContent = t('console.cases.more', { n: more });
  body.replaceChildren(...cases.map(row));
}

/**
 * Where the patient goes: the case's destination, else the centre whose team was activated,
 * else the facility whose door it came through, else the centre its live alert went to.
 * @param {any} found
 * @returns {string | null}
 */
export function destinationOf(found) {
  if (found.destination_facility_id) return found.destination_facility_id;
  const activated = activatedAlert(found); // the team waiting: kept whatever the recommendation
  if (activated) return activated.to_facility_id;
  if (found.arrived_facility_id) return found.arrived_facility_id;
  const alerts = state.alertsByCase.get(found.id) || [];
  const live = alerts.filter((/** @type {any} */ a) => !['declined', 'cancelled'].includes(a.status));
  return live.length ? live[live.length - 1].to_facility_id : null;
}

/**
 * What the ETA column says: to the scene while the ambulance goes there, to the destination
 * while it transports, "arrived" once handed over or through the door; nothing otherwise.
 * @param {any} found
 * @param {any} ambulance
 */
function eta(found, ambulance) {
  const arrived = found.handover_at || found.arrived_at;
  if (arrived) return el('div', { class: 'eta eta-arrived muted' }, t('console.cases.arrived', { time: fmtTime(arrived, { seconds: false }) }));
  const status = ambulance?.status;
  const where = TO_SCENE.includes(status) ? 'scene' : TO_DESTINATION.includes(status) ? 'destination' : null;
  if (!where || found.eta_minutes === null || !found.eta_at) return null;
  return el('div', { class: `eta eta-${where} muted` },
    t(`console.cases.eta.${where}`, { minutes: Math.round(found.eta_minutes), time: fmtTime(found.eta_at, { seconds: false }) }));
}

/** @param {any} found a listed case (the API's JSON) */
function row(found) {
  const called = found.call_received_at || found.created_at;
  const fmc = found.fmc_at;
  const ambulance = found.ambulance_id ? state.ambulances.get(found.ambulance_id) : null;
  const alerts = state.alertsByCase.get(found.id) || [];
  const acting = canAct();
  const destination = destinationOf(found);
  const classes = [found.id === highlight ? 'new' : '', found.stale ? 'stale' : ''].filter(Boolean).join(' ');
  return el('tr', { dataset: { caseId: found.id, ambulanceId: found.ambulance_id || '', stale: String(found.stale) }, class: classes },
    el('td', {}, el('button', { type: 'button', class: 'link case-show', title: t('console.cases.show', { id: found.id }), onclick: () => showPoint(found.lon, found.lat, t('console.cases.patient', { id: found.id })) }, `#${found.id}`),
      found.stale && el('div', { class: 'stale-badge', title: t('console.cases.stale.hint') }, t('console.cases.stale'))),
    el('td', {}, el('span', { class: `pathway pathway-${found.pathway}` }, pathwayName(found.pathway, { short: true })),
      found.drill && el('span', { class: 'drill-badge' }, t('console.cases.drill'))),
    el('td', {}, fmtTime(called)),
    el('td', { class: 'num' }, timer(called)),
    el('td', { class: 'num' }, fmc ? timer(fmc, { lateMinutes: FMC_LATE_MINUTES[found.pathway] ?? null }) : el('span', { class: 'muted' }, t('console.cases.no.fmc'))),
    el('td', {}, found.ambulance_id
      ? [el('strong', {}, callsign(found.ambulance_id)), ambulance && el('span', { class: `amb-chip amb-${ambulance.status}` }, t(`console.status.${ambulance.status}`))]
      : [el('span', { class: 'muted' }, t('console.cases.no.ambulance')),
        acting && el('button', { type: 'button', class: 'primary small', onclick: () => takeCase(found) }, t('console.call.dispatch'))]),
    el('td', { class: 'destination' }, destination ? facilityName(destination) : '—', eta(found, ambulance), changedWarning(found, acting)),
    el('td', {}, alerts.map((alert) => el('span', { class: `alert-chip state-${alert.status}${isEscalated(alert) ? ' escalated' : ''}` }, t(`console.alerts.state.${alert.status}`))),
      acting && el('button', { type: 'button', class: 'small case-actions', onclick: () => openCaseActions(found) }, t('console.actions.open'))));
}

/**
 * After an activation a changed recommendation is a warning, never a swap: the destination
 * stays; a dispatcher may change it deliberately.
 * @param {any} found
 * @param {boolean} acting
 */
function changedWarning(found, acting) {
  const check = activations.get(found.id);
  if (!check?.changed_after_activation) return null;
  const next = check.recommended_facility_id;
  return el('div', { class: 'recommendation-warning', role: 'alert', dataset: { recommended: next } },
    t('console.cases.recommendation.changed', { activated: facilityName(check.activated_facility_id), recommended: facilityName(next) }),
    acting && el('button', { type: 'button', class: 'small change-destination', onclick: () => openTransfer(found, next) },
      t('console.cases.recommendation.change', { recommended: facilityName(next) })));
}

/**
 * Unanswered and escalated.
 * @param {{escalation_level: number, status: string}} alert
 */
export function isEscalated(alert) {
  return alert.escalation_level > 0 && (alert.status === 'sent' || alert.status === 'delivered');
}
