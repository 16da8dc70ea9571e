// The county's ECG reading, from the field (issue 16; 基层检查、上级诊断): a township unit or a
// crew sends an ECG it took to the county ECG centre with one press (through the outbox, so it
// waits for the upload and survives a bad connection; the server makes a resend the same ECG).
// The reading comes back live on the unit's or ambulance's own stream (`ecg.read`): it is
// announced at once, with a sound, and a STEMI reading offers the alert to the cath lab in
// one step, with that ECG attached.

import { api, byId, el, fmtTime, newKey, toast } from './core.js';
import { t } from './i18n.js';
import { playAlarm } from './alarm.js';
import { ctx, hooks } from './field-state.js';

/** @type {Map<number, any>} the current case's ECGs sent for reading, by id */
const sent = new Map();
/** @type {(attachmentIds: string[]) => void} sends the case's alert with these ECGs (field-alert.js) */
let alertWith = () => {};

/** @param {(attachmentIds: string[]) => void} send */
export function onStemiAlert(send) {
  alertWith = send;
}

/** The outbox's sender: the upload's attachment (an earlier item's result), sent for reading. */
export async function sendEcgForReading(/** @type {any} */ item, /** @type {{get: (ref: string) => Promise<any>}} */ refs) {
  const attachmentId = await refs.get(item.refs[0]);
  return api('/ecgs', { method: 'POST', json: { case_id: item.case_id, attachment_id: attachmentId } });
}

/**
 * Queue one of the case's ECG files for the county's reading.
 * @param {string} ref the upload's ref
 * @param {string} name
 */
export async function sendForReading(ref, name) {
  await ctx.outbox?.add({
    kind: 'ecg_reading', case_id: ctx.caseId, key: newKey(), at: new Date().toISOString(),
    label: `${t('field.ecg.reading.send')} · ${name}`, refs: [ref],
  });
  toast(t('field.ecg.reading.queued'), 'ok', 3000);
}

/** The current case's ECGs sent for reading, from the server. */
export async function loadReadings() {
  const caseId = ctx.caseId;
  if (caseId === null) return;
  const found = await api(`/ecgs?case_id=${caseId}`);
  if (caseId !== ctx.caseId) return;
  sent.clear();
  for (const ecg of found) sent.set(ecg.id, ecg);
  hooks.render();
}

/**
 * An ECG heard of (the send's answer, or an `ecg.read` frame): kept if it is the current
 * case's; a reading is announced (another case's: a notice naming the case).
 * @param {any} ecg
 * @param {boolean} [announce]
 */
export function ecgHeard(ecg, announce = false) {
  if (!ecg) return;
  if (ecg.case_id === ctx.caseId) sent.set(ecg.id, ecg);
  if (announce && ecg.reading) {
    playAlarm({ beeps: ecg.reading.finding === 'stemi' ? 3 : 1 });
    const finding = t(`field.ecg.finding.${ecg.reading.finding}`);
    toast(t('field.ecg.reading.back', { id: ecg.case_id, finding, text: ecg.reading.text || '' }),
      ecg.reading.finding === 'stemi' ? 'error' : 'ok', 15_000);
  }
  hooks.render();
}

/** @param {any} ecg */
function line(ecg) {
  if (!ecg.reading) {
    return el('span', { class: 'tag-pending' }, t('field.ecg.reading.waiting', { time: fmtTime(ecg.received_at) }));
  }
  const { finding, text, read_by: by, read_at: at } = ecg.reading;
  return el('span', { class: `reading finding-${finding}` },
    el('strong', {}, t(`field.ecg.finding.${finding}`)), ' ', text || '', ' ',
    el('small', { class: 'muted' }, t('field.ecg.reading.by', { by, time: fmtTime(at) })));
}

export function renderReadings() {
  const box = document.getElementById('ecg-readings');
  if (!box) return;
  const shown = [...sent.values()].filter((ecg) => ecg.case_id === ctx.caseId).sort((a, b) => a.id - b.id);
  box.replaceChildren(...shown.map((ecg) => el('li', { dataset: { ecgId: ecg.id, status: ecg.status } },
    el('span', {}, t('field.ecg.reading.item', { id: ecg.id })), ' ', line(ecg),
    ecg.reading?.finding === 'stemi'
      ? el('button', { type: 'button', class: 'primary ecg-alert', onclick: () => alertWith([ecg.attachment_id]) }, t('field.ecg.reading.alert'))
      : null,
    ecg.status === 'unreadable' ? el('span', { class: 'tag-bad' }, t('field.ecg.reading.resend')) : null)));
  byId('ecg-readings-title').hidden = shown.length === 0;
}

/** Forget the last case's readings (another case is open). */
export function clearReadings() {
  sent.clear();
}
