// Correcting a stamp and entering a time after the fact (the field app's stamp dialog).
//
// Stamps are append-only: a correction is a new stamp that names the one it supersedes and
// gives a reason (POST /cases/{id}/events with `supersedes` and `reason`); the old one stays in
// the timeline, struck through. A press on a milestone that is already stamped opens the
// correction instead of adding a second stamp. "Enter a past time" records a milestone at a
// time picked on the dialog (e.g. from the paper record). Both go through the outbox.

import { byId, el, fmtTime, newKey } from './core.js';
import { t } from './i18n.js';
import { OWN_FACILITY, milestoneLabel } from './milestones.js';
import { ctx } from './field-state.js';
import { limitTexts } from './text-limit.js';

const FUTURE_SLACK_MS = 60_000;

/**
 * A time as a datetime-local input shows it (this device's time zone, to the second).
 * @param {string | number | Date} when
 */
export function localInputValue(when) {
  const d = new Date(when);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** @param {string} milestone @param {Set<string>} choices */
function milestoneOptions(milestone, choices) {
  return [...choices].map((m) => el('option', { value: m, selected: m === milestone || undefined }, milestoneLabel(m)));
}

/**
 * Open the dialog. `event`: the server's stamp to correct (then its milestone is fixed);
 * else `milestones`: the ones the user may enter at a past time.
 * @param {{event?: any, milestones?: string[]}} what
 */
export function openStampDialog({ event = null, milestones = [] }) {
  const dialog = byId('stamp-dialog', HTMLDialogElement);
  const form = byId('stamp-form', HTMLFormElement);
  const correcting = Boolean(event);
  const choices = new Set(correcting ? [event.milestone] : milestones);
  const milestoneField = /** @type {HTMLSelectElement} */ (form.elements.namedItem('milestone'));
  const timeField = /** @type {HTMLInputElement} */ (form.elements.namedItem('at'));
  const reasonField = /** @type {HTMLInputElement} */ (form.elements.namedItem('reason'));
  milestoneField.replaceChildren(...milestoneOptions(correcting ? event.milestone : milestones[0], choices));
  milestoneField.disabled = correcting;
  timeField.value = localInputValue(correcting ? event.at : Date.now());
  timeField.max = localInputValue(Date.now() + FUTURE_SLACK_MS);
  reasonField.value = '';
  reasonField.required = correcting;
  reasonField.dataset.limit = correcting ? 'stamp_reason' : 'stamp_note';
  limitTexts(form, ctx.config?.text_limits);
  dialog.dataset.mode = correcting ? 'correct' : 'earlier';
  byId('stamp-dialog-title').textContent = correcting
    ? t('field.correct.title', { name: milestoneLabel(event.milestone), time: fmtTime(event.at) })
    : t('field.earlier.title');
  byId('stamp-reason-label').textContent = t(correcting ? 'field.correct.reason' : 'field.earlier.note');
  const error = byId('stamp-error');
  error.textContent = '';
  const caseId = ctx.caseId;
  form.onsubmit = async (submitted) => {
    submitted.preventDefault();
    const at = new Date(timeField.value);
    if (!timeField.value || Number.isNaN(at.getTime())) {
      error.textContent = t('field.correct.time.missing');
      return;
    }
    if (at.getTime() > Date.now() + FUTURE_SLACK_MS) {
      error.textContent = t('field.correct.time.future');
      return;
    }
    const reason = reasonField.value.trim();
    if (correcting && !reason) {
      error.textContent = t('field.correct.reason.missing');
      return;
    }
    const milestone = milestoneField.value;
    const body = { milestone, at: at.toISOString() };
    if (correcting) Object.assign(body, { supersedes: event.id, reason });
    else if (reason) body.note = reason;
    const facility = correcting ? event.facility_id : (OWN_FACILITY.has(milestone) ? ctx.me?.facility_id : null);
    if (facility) body.facility_id = facility;
    await ctx.outbox?.add({ kind: 'event', case_id: caseId, key: newKey(), at: body.at, milestone, label: milestone, body });
    dialog.close();
  };
  byId('stamp-cancel').onclick = () => dialog.close();
  dialog.showModal();
}
