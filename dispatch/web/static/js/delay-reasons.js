// A missed target's delay reason (issue 14), shared by the milestone pad and the reports page:
// the reason given (or "no reason yet", highlighted) and, for a user the API lets write on the
// case, a small form — a select of the coded list (`delay_reasons` of /web/config: the server's
// one copy, both languages) and a note — saved with PUT /cases/{id}/delay-reasons/{metric}.
// The page redraws from the answer (`onSaved`). A refusal (422, 403) is said in the user's
// language (problems.js). What was typed survives the page redrawing its list (the pad's
// refresh, a language switch) until it is saved or cancelled, and `redrawKeepingFocus` keeps
// the field being typed in focused across a redraw.

import { api, el, errorDetail } from './core.js';
import { pick, register, t } from './i18n.js';
import { limitTexts } from './text-limit.js';

register({
  zh: {
    'delay.label': '延误原因：',
    'delay.none': '尚未填写',
    'delay.give': '填写原因',
    'delay.change': '修改',
    'delay.code': '原因',
    'delay.choose': '请选择…',
    'delay.note': '说明',
    'delay.save': '保存',
    'delay.cancel': '取消',
    'delay.required': '请选择延误原因',
    'delay.failed': '未保存：{detail}',
  },
  en: {
    'delay.label': 'Delay reason: ',
    'delay.none': 'no reason yet',
    'delay.give': 'Give the reason',
    'delay.change': 'Change',
    'delay.code': 'Reason',
    'delay.choose': 'Choose…',
    'delay.note': 'Note',
    'delay.save': 'Save',
    'delay.cancel': 'Cancel',
    'delay.required': 'Choose the delay reason',
    'delay.failed': 'Not saved: {detail}',
  },
});

/**
 * A coded reason (`/web/config` `delay_reasons`), or a reason given (with its note).
 * @typedef {object} DelayReason
 * @property {string} code
 * @property {string} label_zh
 * @property {string} label_en
 * @property {string} [note]
 */

/**
 * What the component needs of an interval (the case's `intervals`, the report's case list).
 * @typedef {object} DelayInterval
 * @property {string} name
 * @property {string | null} facility_id the visit's facility: sent with the reason (the server
 *   keeps one reason per interval; it needs the visit only when the case has several)
 * @property {boolean | null} met
 * @property {DelayReason | null} [delay_reason]
 */

/** @typedef {{role: string} | null} DelayUser */

// The roles that may change any case (dispatch/cases/scope.py, CHANGE_ANY); the others write
// only on the cases they are a party of, which are also the only ones they may read.
const CHANGE_ANY = ['admin', 'dispatcher', 'data_manager'];

/**
 * May give reasons on any case (the reports page, which lists cases of every facility).
 * @param {DelayUser} user
 */
export function mayChangeAnyCase(user) {
  return Boolean(user && CHANGE_ANY.includes(user.role));
}

/**
 * May give reasons on a case the user could read (the pad): all but the read-only auditor.
 * @param {DelayUser} user
 */
export function mayWriteReadCase(user) {
  return Boolean(user && user.role !== 'auditor');
}

/** @type {Map<string, {code: string, note: string, error: unknown}>} open forms, by interval */
const drafts = new Map();

/**
 * @param {number} caseId
 * @param {DelayInterval} interval
 */
const draftKey = (caseId, interval) => `${caseId}|${interval.name}|${interval.facility_id || ''}`;

/**
 * A missed interval's reason, and its form when `editable`.
 * @param {object} options
 * @param {number} options.caseId
 * @param {DelayInterval} options.interval one with `met === false`
 * @param {DelayReason[]} options.codes the coded list
 * @param {Record<string, number>} [options.limits] `text_limits` of /web/config
 * @param {boolean} options.editable
 * @param {(caseOut: any) => unknown} options.onSaved gets the API's answer (the whole case)
 * @returns {HTMLElement}
 */
export function delayReasonView({ caseId, interval, codes, limits, editable, onSaved }) {
  const reason = interval.delay_reason || null;
  const shown = reason
    ? el('span', { class: 'delay-given' }, pick(reason.label_zh, reason.label_en),
      reason.note ? el('span', { class: 'delay-note' }, ` · ${reason.note}`) : null)
    : el('span', { class: 'delay-missing' }, t('delay.none'));
  const box = el('div', {
    class: 'delay-reason',
    dataset: { metric: interval.name, facility: interval.facility_id || '', code: reason ? reason.code : 'none' },
  }, el('span', { class: 'delay-title' }, t('delay.label')), shown);
  if (!editable) return box;

  const key = draftKey(caseId, interval);
  const draft = drafts.get(key);
  const code = el('select', { name: 'code' },
    el('option', { value: '' }, t('delay.choose')),
    ...codes.map((c) => el('option', { value: c.code }, pick(c.label_zh, c.label_en))));
  code.value = draft ? draft.code : reason ? reason.code : '';
  const note = el('input', { name: 'note', type: 'text', 'data-limit': 'delay_note' });
  note.value = draft ? draft.note : reason?.note || '';
  const error = el('p', { class: 'delay-error', role: 'alert' });
  const save = el('button', { type: 'submit', class: 'primary' }, t('delay.save'));
  const cancel = el('button', { type: 'button' }, t('delay.cancel'));
  const form = el('form', { class: 'delay-form' },
    el('label', {}, el('span', {}, t('delay.code')), code),
    el('label', {}, el('span', {}, t('delay.note')), note),
    el('span', { class: 'delay-buttons' }, save, cancel), error);
  const open = el('button', { type: 'button', class: 'link delay-edit' }, t(reason ? 'delay.change' : 'delay.give'));

  /** @param {unknown} failure */
  const showError = (failure) => {
    error.hidden = !failure;
    error.textContent = failure === 'required' ? t('delay.required') : failure ? t('delay.failed', { detail: errorDetail(failure) }) : '';
  };
  /** @param {boolean} editing */
  const setOpen = (editing) => {
    form.hidden = !editing;
    open.hidden = editing;
  };
  const keep = () => drafts.set(key, { code: code.value, note: note.value, error: drafts.get(key)?.error ?? null });
  setOpen(Boolean(draft));
  showError(draft?.error ?? null);

  open.addEventListener('click', () => {
    keep();
    setOpen(true);
    code.focus();
  });
  cancel.addEventListener('click', () => {
    drafts.delete(key);
    showError(null);
    setOpen(false);
  });
  code.addEventListener('change', keep);
  note.addEventListener('input', keep);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    /** @param {unknown} failure */
    const fail = (failure) => {
      drafts.set(key, { code: code.value, note: note.value, error: failure });
      showError(failure);
    };
    if (!code.value) {
      fail('required');
      return;
    }
    save.disabled = true;
    const body = { code: code.value, note: note.value.trim(), ...(interval.facility_id ? { facility_id: interval.facility_id } : {}) };
    /** @type {any} */
    let answer;
    try {
      answer = await api(`/cases/${caseId}/delay-reasons/${encodeURIComponent(interval.name)}`, { method: 'PUT', json: body });
    } catch (failure) {
      save.disabled = false;
      fail(failure);
      return;
    }
    drafts.delete(key);
    await onSaved(answer);
  });
  limitTexts(form, limits);
  box.append(open, form);
  return box;
}

/**
 * Redraw `container` (a list holding delay reasons) without taking away the field the user is
 * typing in: the same field of the same interval's form is focused again, the caret kept.
 * @param {HTMLElement} container
 * @param {() => void} redraw
 */
export function redrawKeepingFocus(container, redraw) {
  const active = document.activeElement;
  const box = active instanceof HTMLElement && container.contains(active) ? active.closest('.delay-reason') : null;
  const name = active instanceof HTMLElement ? active.getAttribute('name') : null;
  const caret = active instanceof HTMLInputElement ? [active.selectionStart, active.selectionEnd] : null;
  redraw();
  if (!(box instanceof HTMLElement) || !name) return;
  for (const again of container.querySelectorAll('.delay-reason')) {
    if (!(again instanceof HTMLElement) || again.dataset.metric !== box.dataset.metric || again.dataset.facility !== box.dataset.facility) continue;
    const field = again.querySelector(`[name="${name}"]`);
    if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) continue;
    field.focus();
    if (field instanceof HTMLInputElement && caret) field.setSelectionRange(caret[0], caret[1]);
  }
}
