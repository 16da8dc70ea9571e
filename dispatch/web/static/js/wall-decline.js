// The wall screen's decline: a reason is required (one of a short list, or free text), and it
// is what the sender reads ("已拒绝：<reason>"). Opens a modal dialog; resolves with the note,
// or null when the team closes it without declining.

import { el } from './core.js';
import { register, t } from './i18n.js';

const REASONS = ['busy', 'team', 'equipment', 'indication', 'other'];

register({
  zh: {
    'decline.title': '拒绝这名患者：请选择原因',
    'decline.hint': '原因会发给发送方，请同时联系对方。',
    'decline.reason.busy': '导管室正在手术，无法接收',
    'decline.reason.team': '介入团队不在位',
    'decline.reason.equipment': '设备故障',
    'decline.reason.indication': '不符合本院收治指征',
    'decline.reason.other': '其他原因',
    'decline.text': '补充说明（选择“其他原因”时必填）',
    'decline.confirm': '确认拒绝',
    'decline.cancel': '返回',
    'decline.required': '请选择原因，或填写说明',
  },
  en: {
    'decline.title': 'Decline this patient: choose a reason',
    'decline.hint': 'The sender is told the reason; call them as well.',
    'decline.reason.busy': 'Cath lab busy with another patient',
    'decline.reason.team': 'Interventional team not available',
    'decline.reason.equipment': 'Equipment failure',
    'decline.reason.indication': 'Not within this centre\'s indications',
    'decline.reason.other': 'Other reason',
    'decline.text': 'Details (required for "other")',
    'decline.confirm': 'Decline',
    'decline.cancel': 'Back',
    'decline.required': 'Choose a reason or write one',
  },
});

/**
 * The note a decline sends: the reason chosen, and the details written (either may be empty).
 * @param {string} reason one of REASONS, or ''
 * @param {string} details
 * @returns {string} '' when there is no reason at all
 */
export function declineNote(reason, details) {
  const text = details.trim();
  if (!reason || (reason === 'other' && !text)) return '';
  if (reason === 'other') return text;
  const label = t(`decline.reason.${reason}`);
  return text ? `${label}：${text}` : label;
}

/**
 * Ask the reason in a modal dialog.
 * @returns {Promise<string | null>} the note, or null if not declined
 */
export function askDeclineReason() {
  const error = el('p', { class: 'decline-error', role: 'alert', hidden: true }, t('decline.required'));
  const details = el('textarea', { name: 'details', maxlength: 400, rows: 2 });
  const form = el('form', { method: 'dialog', class: 'decline-form' },
    el('h2', {}, t('decline.title')),
    el('p', { class: 'decline-hint' }, t('decline.hint')),
    el('div', { class: 'decline-reasons' }, REASONS.map((reason) => el('label', {},
      el('input', { type: 'radio', name: 'reason', value: reason }), ' ', t(`decline.reason.${reason}`)))),
    el('label', { class: 'decline-details' }, el('span', {}, t('decline.text')), details),
    error,
    el('div', { class: 'decline-buttons' },
      el('button', { type: 'button', class: 'decline-cancel', value: 'cancel' }, t('decline.cancel')),
      el('button', { type: 'submit', class: 'decline-confirm danger' }, t('decline.confirm'))));
  const dialog = el('dialog', { class: 'decline-dialog', id: 'decline-dialog' }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    /** @param {string | null} note */
    const done = (note) => {
      dialog.close();
      dialog.remove();
      resolve(note);
    };
    form.querySelector('.decline-cancel')?.addEventListener('click', () => done(null));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); done(null); });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name=reason]:checked'));
      const note = declineNote(chosen ? chosen.value : '', details.value);
      if (!note) {
        error.hidden = false;
        return;
      }
      done(note);
    });
    dialog.showModal();
  });
}
