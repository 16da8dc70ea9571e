// What a dispatcher does to a mission from the console: set the ambulance's status (only the
// moves the server's state machine allows, `next_statuses`), send the patient to a facility
// (its destination: a township unit or a hospital, a transfer), close a case, cancel it with a
// reason (its open alerts are cancelled with it), cancel an alert with a reason. One modal
// dialog, drawn when opened (the tables behind it redraw every few seconds).

import { api, el, errorDetail, toast } from './core.js';
import { t } from './i18n.js';
import { callsign, facilityName, state } from './console-util.js';

/** @type {() => void} */
let changed = () => {};

/**
 * Wire the dialog to the console; `onChange()` after every action that succeeded.
 * @param {{onChange: () => void}} hooks
 */
export function startActions({ onChange }) {
  changed = onChange;
}

/** Whether the signed-in user may act (dispatchers and admins; auditors only read). */
export function canAct() {
  return ['dispatcher', 'admin'].includes(state.user?.role ?? '');
}

/** @returns {HTMLDialogElement} */
function dialog() {
  let found = document.getElementById('action-dialog');
  if (!(found instanceof HTMLDialogElement)) {
    found = el('dialog', { id: 'action-dialog', class: 'action-dialog' });
    document.body.append(found);
  }
  return /** @type {HTMLDialogElement} */ (found);
}

/**
 * Open the dialog with `parts` (a close button is added).
 * @param {string} title
 * @param {...any} parts
 */
function open(title, ...parts) {
  const box = dialog();
  box.replaceChildren(
    el('h2', {}, title),
    ...parts,
    el('p', { class: 'error', id: 'action-error', role: 'alert' }),
    el('div', { class: 'dialog-foot' },
      el('button', { type: 'button', class: 'dialog-close', onclick: () => box.close() }, t('console.actions.back'))));
  if (!box.open) box.showModal();
}

/**
 * Run an API call from the dialog: on success close it, toast `done` and refresh; on failure
 * say why in the dialog (nothing changed).
 * @param {HTMLButtonElement} button
 * @param {() => Promise<unknown>} call
 * @param {string} done
 */
async function run(button, call, done) {
  const error = document.getElementById('action-error');
  button.disabled = true;
  try {
    await call();
    dialog().close();
    toast(done, 'ok');
    changed();
  } catch (failure) {
    if (error) error.textContent = t('console.actions.failed', { detail: errorDetail(failure) });
  } finally {
    button.disabled = false;
  }
}

/**
 * A reason field (required unless `optional`).
 * @param {string} name
 * @param {boolean} [optional]
 */
function reasonField(name, optional = false) {
  return el('label', { class: 'field' }, el('span', {}, t(optional ? 'console.actions.reason.optional' : 'console.actions.reason')),
    el('textarea', { name, rows: '2', maxlength: '480', required: !optional }));
}

/**
 * The reason typed in the dialog's field `name` (trimmed), or null with a message if required.
 * @param {string} name
 * @param {boolean} [optional]
 */
function reasonOf(name, optional = false) {
  const field = dialog().querySelector(`textarea[name=${name}]`);
  const value = field instanceof HTMLTextAreaElement ? field.value.trim() : '';
  if (!value && !optional) {
    const error = document.getElementById('action-error');
    if (error) error.textContent = t('console.actions.reason.missing');
    if (field instanceof HTMLTextAreaElement) field.focus();
    return null;
  }
  return value;
}

/**
 * The mission dialog of a case: its ambulance's next statuses, close, cancel with a reason.
 * @param {any} found the case as listed (GET /cases, the API's JSON)
 */
export function openCaseActions(found) {
  const ambulance = found.ambulance_id ? state.ambulances.get(found.ambulance_id) : null;
  /** @type {string[]} */
  const next = ambulance?.next_statuses || [];
  const statusPart = ambulance
    ? el('section', { class: 'action-part', id: 'action-status' },
      el('h3', {}, t('console.actions.status', { callsign: callsign(found.ambulance_id), status: t(`console.status.${ambulance.status}`) })),
      el('div', { class: 'status-buttons' }, next.map((status) => el('button', {
        type: 'button', class: `status-button amb-${status}`, dataset: { status },
        onclick: (/** @type {MouseEvent} */ event) => run(/** @type {HTMLButtonElement} */ (event.currentTarget),
          () => api(`/ambulances/${found.ambulance_id}/status`, { method: 'POST', json: { status, at: new Date().toISOString() } }),
          t('console.actions.status.done', { callsign: callsign(found.ambulance_id), status: t(`console.status.${status}`) })),
      }, t(`console.status.${status}`)))))
    : el('p', { class: 'muted' }, t('console.cases.no.ambulance'));
  open(t('console.actions.title', { id: found.id }),
    el('p', { class: 'case-contact', id: 'action-contact', hidden: true }),
    statusPart,
    destinationPart(found),
    el('section', { class: 'action-part' },
      el('h3', {}, t('console.actions.close.title')),
      el('p', { class: 'muted' }, t('console.actions.close.hint')),
      el('button', {
        type: 'button', class: 'primary', id: 'action-close',
        onclick: (/** @type {MouseEvent} */ event) => run(/** @type {HTMLButtonElement} */ (event.currentTarget),
          () => api(`/cases/${found.id}`, { method: 'PATCH', json: { status: 'closed' } }),
          t('console.actions.closed', { id: found.id })),
      }, t('console.actions.close'))),
    el('section', { class: 'action-part' },
      el('h3', {}, t('console.actions.cancel.title')),
      reasonField('cancel-reason'),
      el('button', {
        type: 'button', class: 'danger', id: 'action-cancel',
        onclick: (/** @type {MouseEvent} */ event) => {
          const reason = reasonOf('cancel-reason');
          if (reason === null) return;
          run(/** @type {HTMLButtonElement} */ (event.currentTarget),
            () => api(`/cases/${found.id}/cancel`, { method: 'POST', json: { reason } }),
            t('console.actions.cancelled', { id: found.id }));
        },
      }, t('console.actions.cancel'))));
  showContact(found.id);
}

// The facilities a patient is taken to: hospitals first, then the township units.
const RECEIVING_KINDS = ['county_hospital', 'city_hospital', 'township_unit'];

/**
 * Where the patient is taken: a choice of the receiving facilities (the current destination
 * chosen) and a button that sends the patient there (`POST /cases/{id}/transfer`): the crew's
 * "at hospital" stamps the door-in there, and that facility's team sees the case.
 * @param {any} found the case as listed
 */
function destinationPart(found) {
  const kindOrder = (/** @type {any} */ f) => RECEIVING_KINDS.indexOf(f.kind);
  const receiving = [...state.facilities.values()]
    .filter((f) => kindOrder(f) >= 0)
    .sort((a, b) => kindOrder(a) - kindOrder(b) || facilityName(a.id).localeCompare(facilityName(b.id), 'zh'));
  const current = found.destination_facility_id || '';
  const select = el('select', { id: 'action-destination-select', 'aria-label': t('console.actions.destination.title') },
    el('option', { value: '', disabled: true, selected: !current }, t('console.actions.destination.pick')),
    receiving.map((f) => el('option', { value: f.id, selected: f.id === current }, facilityName(f.id))));
  return el('section', { class: 'action-part', id: 'action-destination' },
    el('h3', {}, t('console.actions.destination.title')),
    el('p', { class: 'muted' }, t('console.actions.destination.now', { facility: current ? facilityName(current) : '—' })),
    el('div', { class: 'destination-row' }, select,
      el('button', {
        type: 'button', class: 'primary', id: 'action-destination-send',
        onclick: (/** @type {MouseEvent} */ event) => {
          const chosen = /** @type {HTMLSelectElement} */ (select).value;
          const error = document.getElementById('action-error');
          if (!chosen) {
            if (error) error.textContent = t('console.actions.destination.missing');
            return;
          }
          run(/** @type {HTMLButtonElement} */ (event.currentTarget),
            () => api(`/cases/${found.id}/transfer`, { method: 'POST', json: { facility_id: chosen, reason: t('console.actions.destination.reason') } }),
            t('console.actions.transferred', { id: found.id, facility: facilityName(chosen) }));
        },
      }, t('console.actions.destination.send'))));
}

/**
 * Who called and where (read from the case when the dialog opens: personal data is only in
 * the case itself, each read audited).
 * @param {number} caseId
 */
async function showContact(caseId) {
  const found = await api(`/cases/${caseId}`).catch(() => null);
  const line = document.getElementById('action-contact');
  if (!found || !line) return;
  const shown = [found.caller_phone, found.address, found.patient?.name];
  line.hidden = shown.every((part) => !part);
  line.textContent = t('console.actions.contact', { phone: shown[0] || '—', address: shown[1] || '—', name: shown[2] || '—' });
}

/**
 * Cancel an open alert, with a reason.
 * @param {any} alert the alert view (the API's JSON)
 */
export function openAlertCancel(alert) {
  open(t('console.actions.alert.title', { id: alert.case_id }),
    reasonField('alert-reason'),
    el('button', {
      type: 'button', class: 'danger', id: 'action-alert-cancel',
      onclick: (/** @type {MouseEvent} */ event) => {
        const reason = reasonOf('alert-reason');
        if (reason === null) return;
        run(/** @type {HTMLButtonElement} */ (event.currentTarget),
          () => api(`/alerts/${alert.id}/cancel`, { method: 'POST', json: { reason } }),
          t('console.actions.alert.cancelled', { id: alert.case_id }));
      },
    }, t('console.actions.alert.cancel')));
}

/**
 * Change the destination deliberately (a transfer), after the recommendation changed.
 * @param {any} found the listed case
 * @param {string} facilityId the new recommendation
 */
export function openTransfer(found, facilityId) {
  open(t('console.actions.transfer.title', { id: found.id }),
    el('p', {}, t('console.actions.transfer.hint', { facility: facilityName(facilityId) })),
    reasonField('transfer-reason', true),
    el('button', {
      type: 'button', class: 'primary', id: 'action-transfer',
      onclick: (/** @type {MouseEvent} */ event) => {
        const reason = reasonOf('transfer-reason', true) || t('console.actions.transfer.reason');
        run(/** @type {HTMLButtonElement} */ (event.currentTarget),
          () => api(`/cases/${found.id}/transfer`, { method: 'POST', json: { facility_id: facilityId, reason } }),
          t('console.actions.transferred', { id: found.id, facility: facilityName(facilityId) }));
      },
    }, t('console.actions.transfer', { facility: facilityName(facilityId) })));
}
