// The field app's case view, right column: findings and decision support, sending the alert,
// and the answer coming back from the centre.

import { api, byId, el, errorDetail, errorMessage, fmtTime, fresh, isOffline, newKey, toast } from './core.js';
import { pick, t } from './i18n.js';
import { statusLabel } from './alerts-view.js';
import { ctx, facilityName, hooks, pathwayName, pendingOfCase, recall, remember } from './field-state.js';
import { ecgsOfCase } from './field-case.js';
import { limitTexts } from './text-limit.js';
import { localInputValue } from './field-correct.js';

const ANSWER_RANK = { activated: 5, arrived: 4, acknowledged: 3, declined: 2, delivered: 1, sent: 0, cancelled: -1 };

// --- findings and decision -------------------------------------------------------------------

function option(value, label, selected) {
  return el('option', { value, selected: selected || undefined }, label);
}

/** The findings the decision needs (Killip, lysis contraindication; stroke scale and score). */
export function buildFindings() {
  const form = byId('findings', HTMLFormElement);
  const findings = ctx.caseData?.findings || {};
  const pathway = ctx.caseData?.pathway;
  const fields = [];
  if (pathway === 'stemi' || pathway === 'chest_pain') {
    fields.push(el('label', {}, el('span', {}, t('field.killip')),
      el('select', { name: 'killip_class' }, option('', t('field.killip.unknown'), !findings.killip_class),
        ...[1, 2, 3, 4].map((n) => option(String(n), ['I', 'II', 'III', 'IV'][n - 1], findings.killip_class === n)))));
    fields.push(el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'lysis_contraindicated', checked: Boolean(findings.lysis_contraindicated) }), ' ', t('field.lysis.contra')));
    // Late presentation (onset > 12 h): PCI only with ongoing ischaemia or an arrhythmia (ESC 2023)
    fields.push(el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'ongoing_ischaemia', checked: Boolean(findings.ongoing_ischaemia) }), ' ', t('field.ischaemia')));
    fields.push(el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'arrhythmia', checked: Boolean(findings.arrhythmia) }), ' ', t('field.arrhythmia')));
  } else if (pathway === 'stroke') {
    fields.push(el('label', {}, el('span', {}, t('field.scale')),
      el('select', { name: 'stroke_scale' }, option('', '—', !findings.stroke_scale),
        ...[['race', 'RACE'], ['fast_ed', 'FAST-ED'], ['lams', 'LAMS']].map(([v, l]) => option(v, l, findings.stroke_scale === v)))));
    fields.push(el('label', {}, el('span', {}, t('field.score')),
      el('input', { type: 'number', name: 'stroke_score', min: '0', max: '20', value: findings.stroke_score ?? '' })));
    // Last known well: the lysis and thrombectomy windows count from it (the decision needs it)
    fields.push(el('label', {}, el('span', {}, t('field.lkw')),
      el('input', { type: 'datetime-local', step: '60', name: 'last_known_well_at', value: findings.last_known_well_at ? localInputValue(findings.last_known_well_at).slice(0, 16) : '' })));
  }
  form.replaceChildren(...fields);
  form.hidden = fields.length === 0;
  form.onchange = () => saveFindings(form);
}

async function saveFindings(form) {
  const patch = {};
  if (form.killip_class) patch.killip_class = form.killip_class.value ? Number(form.killip_class.value) : null;
  if (form.lysis_contraindicated) patch.lysis_contraindicated = form.lysis_contraindicated.checked;
  if (form.ongoing_ischaemia) patch.ongoing_ischaemia = form.ongoing_ischaemia.checked;
  if (form.arrhythmia) patch.arrhythmia = form.arrhythmia.checked;
  if (form.stroke_scale) patch.stroke_scale = form.stroke_scale.value || null;
  if (form.stroke_score) patch.stroke_score = form.stroke_score.value === '' ? null : Number(form.stroke_score.value);
  if (form.last_known_well_at) {
    const typed = Date.parse(form.last_known_well_at.value);
    patch.last_known_well_at = Number.isFinite(typed) ? new Date(typed).toISOString() : null;
  }
  try {
    ctx.caseData = await api(`/cases/${ctx.caseId}`, { method: 'PATCH', json: patch });
    remember(`case.${ctx.caseId}`, ctx.caseData);
    await loadDecision();
  } catch (err) {
    toast(t('field.findings.failed', { detail: errorDetail(err) }), 'error');
  }
}

export async function loadDecision() {
  const caseId = ctx.caseId;
  if (!caseId) return; // e.g. a stamp's refresh arriving before any case was opened here
  try {
    const found = await api(`/cases/${caseId}/decision`);
    if (caseId !== ctx.caseId) return;
    ctx.decision = found;
  } catch (err) {
    ctx.decision = { error: isOffline(err) ? t('field.decision.offline') : errorMessage(err) };
  }
  renderDecision();
  const suggested = ctx.decision?.result?.destination_facility_id;
  const select = byId('alert-to', HTMLSelectElement);
  if (suggested && !select.dataset.chosen && [...select.options].some((o) => o.value === suggested)) {
    select.value = suggested;
    updateEta();
  }
}

export function renderDecision() {
  const box = document.getElementById('decision');
  const found = ctx.decision;
  if (!found) {
    box.replaceChildren();
    return;
  }
  if (found.error) {
    box.replaceChildren(el('p', { class: 'muted' }, found.error));
    return;
  }
  const result = found.result;
  if (!result) {
    box.replaceChildren(el('p', { class: 'muted' }, t('field.decision.none')));
    return;
  }
  const headline = t(`rec.${result.recommendation}`);
  box.replaceChildren(...[
    el('p', { class: `recommendation rec-${result.recommendation}`, dataset: { recommendation: result.recommendation } },
      headline === `rec.${result.recommendation}` ? result.recommendation : headline),
    result.destination_facility_id ? el('p', {}, t('field.decision.destination', { name: facilityName(result.destination_facility_id) })) : null,
    result.transfer_to_facility_id ? el('p', {}, t('field.decision.transfer', { name: facilityName(result.transfer_to_facility_id) })) : null,
    el('ul', { class: 'reasons' }, ...(result.reasons || []).map((r) => el('li', { dataset: { code: r.code } }, pick(r.reason_zh, r.reason)))),
    el('p', { class: 'muted small' }, `${t('field.decision.note')} ${fmtTime(found.decided_at)}`),
  ].filter(Boolean));
}

// --- sending the alert -------------------------------------------------------------------------

function destinations() {
  const need = ctx.pathways.get(ctx.caseData?.pathway)?.receivers_need || [];
  const found = [];
  for (const [id, facility] of ctx.facilities) {
    const caps = [...(facility.props.capabilities || []), `kind:${facility.props.kind}`];
    const fits = need.length ? need.some((c) => caps.includes(c)) : ['county_hospital', 'city_hospital'].includes(facility.props.kind);
    if (fits && id !== ctx.me.facility_id) found.push(id);
  }
  return found.sort((a, b) => (ctx.facilities.get(a).props.kind === 'county_hospital' ? -1 : 0) - (ctx.facilities.get(b).props.kind === 'county_hospital' ? -1 : 0) || a.localeCompare(b));
}

/** Fill the alert form for the current case. */
export function buildAlertForm() {
  const form = byId('alert-form', HTMLFormElement);
  const select = byId('alert-to', HTMLSelectElement);
  const ids = destinations();
  select.replaceChildren(...ids.map((id) => option(id, facilityName(id), false)));
  delete select.dataset.chosen;
  const remembered = recall('alert.to');
  if (remembered && ids.includes(remembered)) select.value = remembered;
  byId('alert-send', HTMLButtonElement).disabled = ids.length === 0;
  if (!ids.length) toast(t('field.alert.none.to'), 'error');
  select.onchange = () => {
    select.dataset.chosen = '1';
    remember('alert.to', select.value);
    updateEta();
  };
  const c = ctx.caseData;
  const caseId = ctx.caseId;
  const sex = c.patient?.sex && c.patient.sex !== 'unknown' ? t(`field.sex.${c.patient.sex}`) : '';
  const age = c.patient?.age ? `${c.patient.age}${t('field.age.unit')}` : '';
  const summary = [pathwayName(c.pathway), c.complaint, [sex, age].filter(Boolean).join(' ')].filter(Boolean).join(' · ');
  // The form belongs to this case: its own draft, else empty (never the last patient's values).
  const draft = recall(`alert.draft.${caseId}`, {});
  for (const name of DRAFT_FIELDS) form[name].value = draft[name] ?? '';
  if (!draft.summary) form.summary.value = summary;
  form.oninput = () => {
    if (caseId !== ctx.caseId) return;
    remember(`alert.draft.${caseId}`, Object.fromEntries(DRAFT_FIELDS.map((name) => [name, form[name].value])));
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    sendAlert(form);
  };
  limitTexts(form, ctx.config?.text_limits);
  renderAlertEcgs();
  if (!draft.eta) updateEta();
}

/** The alert form's fields kept per case (a draft in this device's storage). */
const DRAFT_FIELDS = ['summary', 'hr', 'bp', 'spo2', 'eta'];

/** Re-translate the destinations' names (keeps what the user chose and typed). */
export function relabelDestinations() {
  for (const choice of byId('alert-to', HTMLSelectElement).options) choice.textContent = facilityName(choice.value);
}

export function renderAlertEcgs() {
  const box = document.getElementById('alert-ecgs');
  const ecgs = ecgsOfCase();
  const checked = new Set([.../** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('input:not(:checked)'))].map((i) => i.value));
  box.replaceChildren(...(ecgs.length ? [el('span', {}, t('field.alert.ecgs'))] : []),
    ...ecgs.map((ecg) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'ecg', value: ecg.ref, checked: !checked.has(ecg.ref) }), ' ', ecg.name)));
}

function origin() {
  const own = ctx.facilities.get(ctx.me.facility_id);
  if (own && own.lon !== null) return [own.lon, own.lat];
  if (ctx.lastFix) return [ctx.lastFix.lon, ctx.lastFix.lat];
  return [ctx.caseData.lon, ctx.caseData.lat];
}

async function updateEta() {
  const to = ctx.facilities.get(byId('alert-to', HTMLSelectElement).value);
  if (!to || to.lon === null) return;
  const caseId = ctx.caseId;
  const [lon, lat] = origin();
  try {
    const route = await api(`/travel-time?from=${lon},${lat}&to=${to.lon},${to.lat}`);
    if (caseId !== ctx.caseId) return; // another case's form by now
    if (route.reachable) byId('alert-eta', HTMLInputElement).value = String(Math.round(route.minutes));
  } catch {
    // offline: the crew types the ETA
  }
}

/**
 * Send the case's alert as the form stands, with these uploaded ECGs attached (a STEMI reading's
 * one-step alert: field-ecg.js).
 * @param {string[]} attachmentIds
 */
export function sendAlertWithEcgs(attachmentIds) {
  sendAlert(byId('alert-form', HTMLFormElement), attachmentIds);
}

async function sendAlert(form, attachmentIds = []) {
  const button = byId('alert-send', HTMLButtonElement);
  button.disabled = true;
  setTimeout(() => { button.disabled = false; }, 2000);
  const vitals = {};
  for (const name of ['hr', 'bp', 'spo2']) {
    const value = form[name].value.trim();
    if (value) vitals[name] = /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  const body = {
    case_id: ctx.caseId,
    to_facility_id: form.to.value,
    pathway: ctx.caseData.pathway,
    summary: form.summary.value.trim(),
    vitals,
    attachment_ids: attachmentIds,
  };
  if (form.eta.value !== '') body.eta_minutes = Number(form.eta.value);
  const refs = [.../** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name=ecg]:checked'))].map((i) => i.value);
  await ctx.outbox.add({
    kind: 'alert', case_id: ctx.caseId, key: newKey(), at: new Date().toISOString(),
    label: `${t('field.alert.send')} → ${facilityName(body.to_facility_id)}`, body, refs,
  });
  toast(t('field.alert.queued'), 'ok', 3000);
}

// --- the answer -----------------------------------------------------------------------------

export async function loadAlerts() {
  const caseId = ctx.caseId;
  const found = await api(`/alerts?case_id=${caseId}`);
  fresh('alerts');
  if (caseId !== ctx.caseId) return;
  for (const alert of found) ctx.alerts.set(alert.id, alert);
  hooks.render();
}

/** An alert heard of (stream frame, poll or send answer): kept if it is the current case's. */
export function alertSeen(alert) {
  if (!alert || alert.case_id !== ctx.caseId) return;
  ctx.alerts.set(alert.id, alert);
  hooks.render();
}

export function renderAnswer() {
  const box = document.getElementById('answer');
  const alerts = [...ctx.alerts.values()].filter((a) => a.case_id === ctx.caseId);
  const queued = pendingOfCase('alert').length;
  alerts.sort((a, b) => (ANSWER_RANK[b.status] ?? 0) - (ANSWER_RANK[a.status] ?? 0) || b.id - a.id);
  const best = alerts[0];
  if (!best && !queued) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  if (!best) {
    box.className = 'answer answer-pending';
    box.dataset.status = 'pending';
    box.replaceChildren(el('strong', {}, t('field.answer.pending')));
    return;
  }
  const to = facilityName(best.to_facility_id);
  const key = best.status === 'activated' ? `field.answer.activated.${best.pathway === 'stroke' ? 'stroke' : 'stemi'}` : `field.answer.${best.status}`;
  box.className = `answer answer-${best.status}`;
  box.dataset.status = best.status;
  box.dataset.alertId = best.id;
  const unanswered = (best.status === 'sent' || best.status === 'delivered') && !best.closed_at;
  const escalated = unanswered && best.escalation_level > 0;
  const phone = ctx.facilities.get(best.to_facility_id)?.props.phone || '';
  box.replaceChildren(...[
    el('strong', {}, t(escalated ? 'field.answer.unanswered' : key, { to, note: best.answer_note || '' })),
    best.answered_at ? el('span', { class: 'answer-by' }, t('field.answer.by', { by: best.answered_by || '', time: fmtTime(best.answered_at) })) : null,
    (escalated || best.status === 'declined') && phone ? el('a', { class: 'answer-call', href: `tel:${phone}` }, t('field.answer.call', { to, phone })) : null,
  ].filter(Boolean));
  byId('sent-alerts').replaceChildren(...[...alerts].sort((a, b) => b.id - a.id).map((a) => el('li', { dataset: { alertId: a.id, status: a.status } },
    t('field.alert.item', { to: facilityName(a.to_facility_id), status: statusLabel(a), time: fmtTime(a.created_at) }))));
}
