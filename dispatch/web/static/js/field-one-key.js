// The one-key call (一键呼叫, issue 16): a township unit's big button. One press and a choice of
// pathway (the confirmation) open a case here and alert the nearest receiving team and the 120
// console together (POST /one-key-call); the case then opens, for the ECG and the stamps that
// follow. A press that could not reach the server keeps its Idempotency-Key: pressing again is
// the same call, never a second one.

import { api, byId, el, errorDetail, isOffline, newKey, toast } from './core.js';
import { pick, t } from './i18n.js';
import { ctx, hooks } from './field-state.js';

const PATHWAYS = ['stemi', 'stroke', 'chest_pain'];
/** @type {string | null} the key of a call not yet answered */
let pendingKey = null;

/** @param {string} pathway */
async function call(pathway) {
  const error = byId('one-key-error');
  error.textContent = '';
  pendingKey = pendingKey || newKey();
  try {
    const answer = await api('/one-key-call', { method: 'POST', json: { pathway }, headers: { 'Idempotency-Key': pendingKey } });
    pendingKey = null;
    byId('one-key-dialog', HTMLDialogElement).close();
    toast(t('field.onekey.sent', { id: answer.case_id }), 'ok', 8000);
    await hooks.selectCase(answer.case_id);
  } catch (err) {
    error.textContent = isOffline(err) ? t('field.onekey.offline') : t('field.onekey.failed', { detail: errorDetail(err) });
  }
}

/** Show the button to township units and wire its dialog. */
export function setUpOneKey() {
  const button = byId('one-key', HTMLButtonElement);
  button.hidden = ctx.me?.role !== 'township';
  if (button.hidden) return;
  const dialog = byId('one-key-dialog', HTMLDialogElement);
  const fill = () => {
    const known = PATHWAYS.filter((id) => ctx.pathways.has(id));
    byId('one-key-pathways').replaceChildren(...known.map((id) => {
      const found = ctx.pathways.get(id);
      return el('button', { type: 'button', class: `one-key-pathway pathway-${id}`, dataset: { pathway: id }, onclick: () => call(id) },
        pick(found.name_zh, found.name_en));
    }));
  };
  button.addEventListener('click', () => {
    fill();
    byId('one-key-error').textContent = '';
    dialog.showModal();
  });
  byId('one-key-cancel').addEventListener('click', () => dialog.close());
}
