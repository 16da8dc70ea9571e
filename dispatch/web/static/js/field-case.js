// The field app's case view, left column: milestone buttons, the ECG, the timeline.

import { byId, el, fmtTime, newKey, toast } from './core.js';
import { sendForReading } from './field-ecg.js';
import { t } from './i18n.js';
import { CREW_STATUS, FIELD_MILESTONES, OWN_FACILITY, milestoneLabel, ownMilestones, withOwnMilestones } from './milestones.js';
import { ctx, pendingOfCase, recall, remember } from './field-state.js';
import { openStampDialog } from './field-correct.js';

const ECG_TYPES = ['image/png', 'image/jpeg', 'application/pdf'];
// 12-lead waveforms (DICOM, HL7 aECG): browsers give .dcm and .xml no type or a generic one,
// so these go by their name here; the server judges every file by its content.
const WAVEFORM_NAME = /\.(dcm|xml)$/i;
const ECG_MAX_BYTES = 10 * 1024 * 1024;
const previews = new Map(); // ecg ref → object URL (this session only)

function isCrew() {
  return ctx.me.role === 'crew' && Boolean(ctx.me.ambulance_id);
}

/** The milestones this user stamps on this case's pathway. */
export function fieldMilestones() {
  const role = ctx.me.role === 'crew' ? 'crew' : 'township';
  const pathway = ctx.pathways.get(ctx.caseData?.pathway);
  const allowed = new Set(pathway ? pathway.milestones : FIELD_MILESTONES[role]);
  const core = FIELD_MILESTONES[role].filter((m) => allowed.has(m) || (role === 'crew' && m in CREW_STATUS));
  return withOwnMilestones(core, ownMilestones(ctx.config?.milestone_defs || [], role, allowed));
}

/** A button's name: the crew's door-in at the destination is "at hospital". */
function buttonLabel(milestone) {
  if (isCrew() && CREW_STATUS[milestone]) {
    const own = t(`field.crew.status.${CREW_STATUS[milestone]}`);
    if (own !== `field.crew.status.${CREW_STATUS[milestone]}`) return own;
  }
  return milestoneLabel(milestone);
}

/** The queued items of this case that stamp a milestone (stamps and the crew's status changes). */
function pendingStamps() {
  return pendingOfCase().filter((item) => item.kind === 'event' || item.kind === 'status');
}

/** The case's latest alert still alive (not declined or cancelled), or undefined. */
function liveAlert() {
  return [...ctx.alerts.values()]
    .filter((a) => a.case_id === ctx.caseId && !['declined', 'cancelled'].includes(a.status))
    .sort((a, b) => b.id - a.id)[0];
}

/** Where the patient is taken: the case's destination, else the centre of its live alert. */
function destinationOf() {
  if (ctx.caseData?.destination_facility_id) return null; // known already
  return liveAlert()?.to_facility_id || null;
}

/**
 * Where a unit sends its patient on at its door-out: the centre its live alert went to (that
 * centre becomes the destination and sees the case on its pad), unless the case goes there
 * already.
 */
function onwardOf() {
  const to = liveAlert()?.to_facility_id;
  return to && to !== ctx.caseData?.destination_facility_id ? to : null;
}

/** When a milestone was stamped (sent or still queued), the earliest: {at, pending} or null. */
function stampedAt(milestone) {
  const found = [];
  for (const event of ctx.caseData?.timeline || []) {
    if (event.milestone === milestone && !event.superseded_by) found.push({ at: event.at, pending: false, event });
  }
  for (const item of pendingStamps()) {
    if (item.milestone === milestone) found.push({ at: item.at, pending: true });
  }
  found.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return found[0] || null;
}

async function stamp(milestone) {
  const done = stampedAt(milestone);
  if (done?.pending) { // queued already: one press is one stamp
    toast(t('field.stamp.pending.again', { name: milestoneLabel(milestone), time: fmtTime(done.at) }), 'info', 4000);
    return;
  }
  if (done) { // stamped already: a second press offers the correction, never a second stamp
    openStampDialog({ event: done.event });
    return;
  }
  const at = new Date().toISOString(); // the device's own clock, now: the clinical time
  if (isCrew() && CREW_STATUS[milestone]) {
    const status = CREW_STATUS[milestone];
    const destination = status === 'at_destination' ? destinationOf() : null;
    await ctx.outbox.add({
      kind: 'status', case_id: ctx.caseId, key: newKey(), at, milestone, label: milestone,
      ambulance_id: ctx.me.ambulance_id, destination, body: { status, at },
    });
    return;
  }
  const body = { milestone, at };
  if (OWN_FACILITY.has(milestone) && ctx.me.facility_id) body.facility_id = ctx.me.facility_id;
  const destination = milestone === 'facility_departure' && ctx.me.facility_id ? onwardOf() : null;
  await ctx.outbox.add({ kind: 'event', case_id: ctx.caseId, key: newKey(), at, milestone, label: milestone, destination, body });
}

export function renderStamps() {
  const box = document.getElementById('stamps');
  box.replaceChildren(...fieldMilestones().map((milestone) => {
    const done = stampedAt(milestone);
    return el('button', {
      type: 'button',
      class: `stamp${done ? ' done' : ''}${done?.pending ? ' pending' : ''}`,
      dataset: { milestone, at: done ? done.at : '', status: isCrew() ? CREW_STATUS[milestone] || '' : '' },
      onclick: () => stamp(milestone),
    },
    el('span', { class: 'stamp-name' }, buttonLabel(milestone)),
    el('span', { class: 'stamp-time' }, done ? fmtTime(done.at) : '—'),
    done?.pending ? el('span', { class: 'stamp-state' }, t('field.pending')) : null);
  }));
}

export function renderTimeline() {
  const rows = (ctx.caseData?.timeline || []).map((e) => ({
    at: e.at, milestone: e.milestone, by: e.recorded_by, superseded: Boolean(e.superseded_by), pending: false, event: e,
  }));
  for (const item of pendingStamps()) {
    rows.push({ at: item.at, milestone: item.milestone, by: ctx.me.username, superseded: false, pending: true });
  }
  rows.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const list = document.getElementById('timeline');
  const readOnly = ctx.me.role === 'auditor';
  if (!rows.length) {
    list.replaceChildren(el('li', { class: 'muted' }, t('field.timeline.empty')));
    return;
  }
  list.replaceChildren(...rows.map((row) => el('li', {
    class: `${row.pending ? 'pending' : ''}${row.superseded ? ' superseded' : ''}`,
    dataset: { milestone: row.milestone, at: row.at },
  },
  el('time', { datetime: row.at }, fmtTime(row.at)), ' ',
  el('strong', {}, milestoneLabel(row.milestone)), ' ',
  el('span', { class: 'muted' }, row.by || ''),
  row.pending ? el('span', { class: 'tag-pending' }, t('field.pending')) : null,
  row.event?.reason ? el('span', { class: 'muted small' }, ` · ${row.event.reason}`) : null,
  row.event && !row.superseded && !readOnly
    ? el('button', { type: 'button', class: 'correct', dataset: { eventId: row.event.id }, onclick: () => openStampDialog({ event: row.event }) }, t('field.correct.open'))
    : null)));
}

/** "Enter a past time": any of the user's milestones not stamped yet. */
export function openEarlier() {
  const open = fieldMilestones().filter((m) => !stampedAt(m));
  openStampDialog({ milestones: open.length ? open : fieldMilestones() });
}

/** The case's ECG files: [{ref, name, type}] (kept on this device). */
export function ecgsOfCase() {
  return recall(`ecg.${ctx.caseId}`, []);
}

/**
 * Whether the file picker's file is one the server may take: an image, a PDF or a waveform.
 * @param {File} file
 */
function ecgFileAccepted(file) {
  return ECG_TYPES.includes(file.type) || WAVEFORM_NAME.test(file.name);
}

export async function addEcg(file) {
  if (!ecgFileAccepted(file)) {
    toast(t('field.ecg.type'), 'error');
    return;
  }
  if (file.size > ECG_MAX_BYTES) {
    toast(t('field.ecg.too.big'), 'error');
    return;
  }
  const ref = newKey();
  previews.set(ref, URL.createObjectURL(file));
  remember(`ecg.${ctx.caseId}`, [...ecgsOfCase(), { ref, name: file.name, type: file.type }]);
  await ctx.outbox.add({
    kind: 'upload', case_id: ctx.caseId, ref, key: ref, label: file.name, at: new Date().toISOString(),
    blob: file, name: file.name,
  });
}

export function renderEcgs() {
  const waiting = new Set(pendingOfCase('upload').map((item) => item.ref));
  byId('ecg-list').replaceChildren(...ecgsOfCase().map((ecg) => {
    const preview = previews.get(ecg.ref);
    return el('li', { dataset: { ref: ecg.ref } },
      preview && ecg.type.startsWith('image/') ? el('img', { src: preview, alt: ecg.name, class: 'ecg-thumb' }) : null,
      el('span', {}, ecg.name), ' ',
      el('span', { class: waiting.has(ecg.ref) ? 'tag-pending' : 'tag-done' }, t(waiting.has(ecg.ref) ? 'field.ecg.pending' : 'field.ecg.done')), ' ',
      el('button', { type: 'button', class: 'ecg-read-send', dataset: { ref: ecg.ref }, onclick: () => sendForReading(ecg.ref, ecg.name) }, t('field.ecg.reading.send')));
  }));
}

/** After an event was sent: put the server's answer in the cached timeline at once. */
export function eventSent(item, event) {
  if (!ctx.caseData || ctx.caseData.id !== item.case_id || !event) return;
  if (!ctx.caseData.timeline.some((e) => e.id === event.id)) ctx.caseData.timeline.push(event);
}
