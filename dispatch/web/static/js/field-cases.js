// The field app's case picker: the active cases, and a form to open a new one.

import { api, byId, el, errorDetail, errorMessage, fmtTime, fresh, isOffline, newKey, stale } from './core.js';
import { onLangChange, pick, t } from './i18n.js';
import { ctx, hooks, pathwayName, recall, remember } from './field-state.js';
import { limitTexts } from './text-limit.js';

/** Load the active cases the user may see and list them. */
export async function loadCases() {
  const cases = await api('/cases?status=active&limit=30');
  fresh('cases');
  remember('cases', cases);
  renderCases(cases);
  return cases;
}

export function renderCases(cases = recall('cases', [])) {
  const list = document.getElementById('case-list');
  list.replaceChildren(...cases.map((c) => el('button', {
    type: 'button', class: `case-item clamp${c.id === ctx.caseId ? ' current' : ''}`, dataset: { caseId: c.id }, title: c.complaint || '',
    onclick: () => hooks.selectCase(c.id),
  }, t('field.case.item', { id: c.id, pathway: pathwayName(c.pathway), time: fmtTime(c.created_at, { seconds: false }), complaint: c.complaint || '' }))));
  byId('no-cases').hidden = cases.length > 0;
}

function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error(t('field.gps.insecure')));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ lon: found.coords.longitude, lat: found.coords.latitude }),
      (error) => reject(new Error(error.message || String(error.code))),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 });
  });
}

let searchTimer = null;

async function searchPlaces(query) {
  const select = document.getElementById('place-results');
  if (query.trim().length < 1) {
    select.replaceChildren();
    return;
  }
  try {
    const places = await api(`/places?q=${encodeURIComponent(query.trim())}&limit=20`);
    select.replaceChildren(...places.map((p) => el('option', { value: `${p.lon},${p.lat}` },
      `${pick(p.name_zh, p.pinyin)}${p.township_zh ? ` · ${p.township_zh}` : ''}`)));
  } catch {
    select.replaceChildren();
  }
}

async function where(form) {
  const choice = form.where.value;
  if (choice === 'facility') {
    const own = ctx.facilities.get(ctx.me.facility_id);
    return { lon: own.lon, lat: own.lat };
  }
  if (choice === 'gps') {
    try {
      return await position();
    } catch (error) {
      throw new Error(t('field.gps.none', { detail: errorMessage(error) }));
    }
  }
  if (!form.place.value) throw new Error(t('field.place.none'));
  const [lon, lat] = form.place.value.split(',').map(Number);
  return { lon, lat };
}

/**
 * The new-case form's radio button for where the patient is.
 * @param {HTMLFormElement} form
 * @param {'facility' | 'gps' | 'place'} value
 */
function whereChoice(form, value) {
  return /** @type {HTMLInputElement} */ (form.querySelector(`input[name=where][value=${value}]`));
}

/** Wire up the new-case form (pathways from the server's configuration). */
export function setUpNewCase() {
  const form = byId('new-case-form', HTMLFormElement);
  if (ctx.me.role === 'crew') { // a crew's cases come from the dispatcher (POST /cases/{id}/dispatch)
    byId('new-case').hidden = true;
    byId('crew-hint').hidden = false;
    return;
  }
  limitTexts(form, ctx.config.text_limits);
  const fillPathways = () => {
    const chosen = form.pathway.value;
    form.pathway.replaceChildren(...ctx.config.pathways.map((p) => el('option', { value: p.id }, pick(p.name_zh, p.name_en))));
    if (chosen) form.pathway.value = chosen;
  };
  fillPathways();
  onLangChange(fillPathways);
  const hasFacility = Boolean(ctx.facilities.get(ctx.me.facility_id));
  byId('where-facility-label').hidden = !hasFacility;
  whereChoice(form, hasFacility ? 'facility' : 'place').checked = true;
  form.place_query.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => searchPlaces(form.place_query.value), 250);
  });
  form.addEventListener('input', () => { delete form.dataset.key; }); // a changed form is a new case
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = document.getElementById('new-case-error');
    error.textContent = '';
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    try {
      const body = { pathway: form.pathway.value, location: await where(form), complaint: form.complaint.value.trim(), drill: form.drill.checked };
      const patient = { sex: form.sex.value };
      if (form.age.value !== '') patient.age = Number(form.age.value);
      body.patient = patient;
      if (form.onset.value) body.symptom_onset = new Date(form.onset.value).toISOString();
      form.dataset.key = form.dataset.key || newKey(); // a retry of the same form opens one case
      const created = await api('/cases', { method: 'POST', json: body, headers: { 'Idempotency-Key': form.dataset.key } });
      delete form.dataset.key;
      form.reset();
      limitTexts(form, ctx.config.text_limits);
      whereChoice(form, hasFacility ? 'facility' : 'place').checked = true;
      byId('new-case', HTMLDetailsElement).open = false;
      await hooks.selectCase(created.id, created);
      loadCases().catch((failed) => stale('cases', failed));
    } catch (err) {
      error.textContent = isOffline(err) ? t('field.create.offline') : t('field.create.failed', { detail: errorDetail(err) });
    } finally {
      button.disabled = false;
    }
  });
}
