// A new call: where (village search, typed coordinates in WGS84/GCJ-02/BD-09, or a click on
// the map), the pathway, optional details; then the nearest available ambulances by road and
// one click to open the case and dispatch one.

import { api, byId, el, errorDetail, errorMessage, fmtTime, newKey, toast } from './core.js';
import { onLangChange, t } from './i18n.js';
import { parseLonLat, toWgs84 } from './crs.js';
import { markCall, showPoint } from './console-map.js';
import { facilityName, nearbyCases, pathwayName, state } from './console-util.js';
import { idNumberProblem, phoneProblem } from './identity.js';

const $ = byId;

let spot = null; // where the patient is: {lon, lat, crs, wgs: [lon, lat], label}
let openCase = null; // a case opened here (or picked from the list) still waiting for an ambulance
let attempt = { body: '', key: '' }; // the Idempotency-Key of the case being opened
let callStarted = null; // when the dispatcher started taking this call: the case's call_received
let recommended = [];
let searchAbort = null;
let recommendAbort = null;
/** @type {(caseId: number) => void} */
let onDispatchedHook = () => {};

/** Wire up the new-call panel; `onDispatched(caseId)` after a dispatch (or a case opened without one). */
/** @param {{onDispatched: (caseId: number) => void}} hooks */
export function startCall({ onDispatched }) {
  onDispatchedHook = onDispatched;
  $('call-form').addEventListener('input', startedNow);
  let searchTimer = null;
  $('place-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    staleResults();
    searchTimer = setTimeout(search, 250);
  });
  $('place-search').addEventListener('keydown', async (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    clearTimeout(searchTimer);
    staleResults();
    const places = await search();
    if (!places?.length) return;
    const namesake = places.filter((place) => place.name_zh === places[0].name_zh);
    if (namesake.length > 1) askWhich(namesake);
    else pickPlace(places[0]);
  });
  $('coords-form').addEventListener('submit', (event) => {
    event.preventDefault();
    typedCoordinates();
  });
  $('call-clear').addEventListener('click', () => reset());
  $('pathways').addEventListener('change', () => {
    $('pathway-error').textContent = '';
    showLastKnownWell();
  });
  for (const id of ['caller-phone', 'patient-id']) $(id).addEventListener('input', () => { $('identity-error').textContent = ''; });
  renderPathways();
  renderLocation();
  renderRecommendations();
  onLangChange(() => {
    renderPathways();
    renderLocation();
    renderRecommendations();
    warnNearby();
  });
}

/** One big choice per pathway the server knows (new pathways are data, not code). */
function renderPathways() {
  const chosen = (/** @type {HTMLInputElement | null} */ (document.querySelector('input[name=pathway]:checked')))?.value;
  const choices = state.pathways.map((pathway) => el('label', { class: 'pathway-choice' },
    el('input', { type: 'radio', name: 'pathway', value: pathway.id, checked: pathway.id === chosen }),
    el('span', {}, pathwayName(pathway.id))));
  for (const old of $('pathways').querySelectorAll('label.pathway-choice')) old.remove();
  $('pathway-error').before(...choices);
}

/** The map and the facilities are loaded: mark the location and name the stations now. */
export function mapReady() {
  if (spot) markCall(spot.wgs[0], spot.wgs[1], describe());
  renderRecommendations();
}

/** The dispatcher clicked the map. */
export function pickPoint(lon, lat) {
  if (!canDispatch()) return;
  startedNow();
  $('coords-error').textContent = '';
  setLocation({ lon, lat, crs: 'wgs84', wgs: [lon, lat], label: () => t('console.call.point', { lon: lon.toFixed(5), lat: lat.toFixed(5) }) });
}

/** Take an open case without an ambulance (from the case list) into the panel to dispatch it. */
export function takeCase(found) {
  setLocation({ lon: found.lon, lat: found.lat, crs: 'wgs84', wgs: [found.lon, found.lat], label: () => t('console.cases.patient', { id: found.id }) }, found);
  const radio = /** @type {HTMLInputElement | null} */ (document.querySelector(`input[name=pathway][value="${found.pathway}"]`));
  if (radio) radio.checked = true;
  $('call-panel').scrollIntoView({ block: 'nearest' });
}

/** Re-check the recommendations when the fleet changed under them. */
export function fleetChanged() {
  if (!spot || !recommended.length) return;
  if (recommended.some((r) => state.ambulances.get(r.ambulance_id)?.status !== 'available')) recommend();
}

function startedNow() {
  if (callStarted) return;
  callStarted = new Date().toISOString();
  renderLocation();
}

function canDispatch() {
  return ['dispatcher', 'admin'].includes(state.user?.role);
}

/**
 * The results shown belong to an earlier text: greyed out and not clickable until the new
 * ones come (a click would pick a place the dispatcher no longer means).
 */
function staleResults() {
  const list = $('place-results');
  list.setAttribute('aria-busy', 'true');
  list.classList.add('stale');
  for (const button of list.querySelectorAll('button')) if (button instanceof HTMLButtonElement) button.disabled = true;
  $('place-ask').hidden = true;
}

/**
 * Enter with several villages of that name: ask which (each shows its township), pick none.
 * @param {any[]} namesake the places of the same name (the API's JSON)
 */
function askWhich(namesake) {
  const ask = $('place-ask');
  ask.textContent = t('console.call.search.which', { n: namesake.length, name: namesake[0].name_zh });
  ask.hidden = false;
  const ids = new Set(namesake.map((place) => place.id));
  for (const button of $('place-results').querySelectorAll('button.place')) {
    if (button instanceof HTMLElement) button.classList.toggle('namesake', ids.has(button.dataset.placeId || ''));
  }
  /** @type {HTMLButtonElement | null} */ ($('place-results').querySelector('button.namesake'))?.focus();
}

async function search() {
  const q = $('place-search', HTMLInputElement).value.trim();
  const list = $('place-results');
  searchAbort?.abort();
  if (!q) {
    list.replaceChildren();
    freshResults();
    return [];
  }
  searchAbort = new AbortController();
  try {
    const places = await api(`/places?q=${encodeURIComponent(q)}&limit=8`, { signal: searchAbort.signal });
    list.replaceChildren(...(places.length ? places.map((place) => el('li', {},
      el('button', { type: 'button', class: 'place', dataset: { placeId: place.id }, onclick: () => pickPlace(place) },
        el('strong', {}, place.name_zh), ` · ${place.township_zh} `, el('span', { class: 'muted' }, place.pinyin))))
      : [el('li', { class: 'muted' }, t('console.call.search.none', { q }))]));
    freshResults();
    return places;
  } catch (error) {
    if (!isAbort(error)) toast(errorMessage(error), 'error');
    return null;
  }
}

/**
 * A search overtaken by the next one (its fetch aborted): not an error to show.
 * @param {unknown} error
 */
function isAbort(error) {
  return (error instanceof DOMException || error instanceof Error) && error.name === 'AbortError';
}

function freshResults() {
  $('place-results').removeAttribute('aria-busy');
  $('place-results').classList.remove('stale');
}

function pickPlace(place) {
  $('place-results').replaceChildren();
  $('place-ask').hidden = true;
  $('coords-error').textContent = '';
  setLocation({ lon: place.lon, lat: place.lat, crs: 'wgs84', wgs: [place.lon, place.lat], label: `${place.name_zh}（${place.township_zh}）`, placeId: place.id });
}

function typedCoordinates() {
  const error = $('coords-error');
  const parsed = parseLonLat($('coords', HTMLInputElement).value);
  if (!parsed) {
    error.classList.remove('hint');
    error.textContent = t('console.call.coords.bad');
    return;
  }
  error.textContent = parsed.swapped ? t('console.call.coords.swapped') : '';
  error.classList.toggle('hint', parsed.swapped);
  const crs = $('coords-crs', HTMLSelectElement).value;
  setLocation({
    lon: parsed.lon, lat: parsed.lat, crs, wgs: toWgs84(parsed.lon, parsed.lat, crs),
    label: () => t('console.call.typed', { lon: parsed.lon, lat: parsed.lat, crs: t(`console.crs.${crs}`) }),
  });
}

/** A new location for the call; `caseFound` when it is an open case's (else a new call). */
function setLocation(found, caseFound = null) {
  spot = found;
  openCase = caseFound; // a case opened earlier stays in the list, with its own dispatch button
  renderLocation();
  markCall(found.wgs[0], found.wgs[1], describe());
  warnNearby();
  recommend();
}

const NEARBY = { meters: 500, minutes: 30 };

/** A new call within 500 m and 30 min of an active case: say so (probably the same patient). */
function warnNearby() {
  const box = $('call-duplicate');
  const near = spot && !openCase ? nearbyCases(state.cases, spot.wgs, Date.now(), NEARBY) : [];
  box.hidden = near.length === 0;
  if (!near.length) {
    box.replaceChildren();
    return;
  }
  const [first] = near;
  const found = state.cases.find((c) => c.id === first.id);
  box.dataset.caseId = String(first.id);
  box.replaceChildren(
    t('console.call.duplicate', { id: first.id, meters: Math.round(first.meters), minutes: NEARBY.minutes, time: fmtTime(first.calledAt, { seconds: false }) }),
    ' ', el('button', { type: 'button', class: 'small', onclick: () => showPoint(found.lon, found.lat, t('console.cases.patient', { id: first.id })) }, t('console.call.duplicate.show')));
}

function describe() {
  return typeof spot.label === 'function' ? spot.label() : spot.label;
}

function renderLocation() {
  const box = $('call-location');
  box.textContent = spot ? t('console.call.location', { place: describe() }) : t('console.call.location.none');
  box.classList.toggle('chosen', Boolean(spot));
  $('call-clear').hidden = !spot;
  $('call-case').textContent = openCase ? t('console.call.case.open', { id: openCase.id }) : '';
  $('call-case').hidden = !openCase;
  $('call-started').textContent = callStarted && !openCase ? t('console.call.started', { time: fmtTime(callStarted) }) : '';
}

async function recommend() {
  const list = $('recommendations');
  const status = $('recommend-status');
  recommendAbort?.abort();
  recommendAbort = new AbortController();
  recommended = [];
  list.replaceChildren();
  status.textContent = t('console.call.recommend.loading');
  const { lon, lat, crs } = spot;
  try {
    recommended = await api(`/ambulances/nearest?lon=${lon}&lat=${lat}&crs=${crs}&k=5`, { signal: recommendAbort.signal });
  } catch (error) {
    if (isAbort(error)) return;
    recommended = [];
    list.replaceChildren();
    status.textContent = errorDetail(error);
    return;
  }
  renderRecommendations();
}

function renderRecommendations() {
  const list = $('recommendations');
  const status = $('recommend-status');
  if (!spot) {
    status.textContent = t('console.call.recommend.wait');
    return;
  }
  status.textContent = recommended.length ? '' : t('console.call.recommend.none');
  list.replaceChildren(...recommended.map((r, index) => el('li', { class: index === 0 ? 'rec best' : 'rec', dataset: { ambulanceId: r.ambulance_id } },
    el('span', { class: 'rec-rank' }, index === 0 ? t('console.call.best') : String(index + 1)),
    el('span', { class: 'rec-who' }, el('strong', { class: 'rec-callsign' }, r.callsign), el('span', { class: 'muted' }, facilityName(r.station_id))),
    el('span', { class: 'rec-eta' }, el('strong', {}, t('console.call.eta', { minutes: r.minutes.toFixed(1) })),
      el('span', { class: 'muted' }, t('console.call.km', { km: (r.meters / 1000).toFixed(1) }))),
    canDispatch() && el('button', { type: 'button', class: 'primary dispatch', onclick: (event) => dispatch(r, event.currentTarget) }, t('console.call.dispatch')))));
}

/** The stroke pathway asks when the patient was last known well (the decision counts from it). */
function showLastKnownWell() {
  const pathway = (/** @type {HTMLInputElement | null} */ (document.querySelector('input[name=pathway]:checked')))?.value;
  $('lkw-field').hidden = pathway !== 'stroke';
}

/** @param {string} id */
function typed(id) {
  return $(id, HTMLInputElement).value.trim();
}

/**
 * What is wrong with the typed phone or ID number (shown under them, the field focused), or
 * null: nothing is sent while it is wrong.
 * @returns {string | null}
 */
function identityProblem() {
  for (const [id, check] of /** @type {const} */ ([['caller-phone', phoneProblem], ['patient-id', idNumberProblem]])) {
    const problem = typed(id) ? check(typed(id)) : null;
    if (problem) {
      $('identity-error').textContent = t(problem);
      $(id).focus();
      return problem;
    }
  }
  return null;
}

function caseBody(pathway) {
  const body = { pathway, location: { lon: spot.lon, lat: spot.lat, crs: spot.crs } };
  if (callStarted) body.call_received = callStarted;
  const complaint = typed('complaint');
  if (complaint) body.complaint = complaint;
  const age = typed('age');
  const sex = $('sex', HTMLSelectElement).value;
  const name = typed('patient-name');
  const idNumber = typed('patient-id').toUpperCase();
  if (age || sex !== 'unknown' || name || idNumber) {
    body.patient = { age: age ? Number(age) : null, sex };
    if (name) body.patient.name = name;
    if (idNumber) body.patient.id_number = idNumber;
  }
  if (typed('caller-phone')) body.caller_phone = typed('caller-phone');
  if (typed('address')) body.address = typed('address');
  const lkw = typed('lkw');
  if (pathway === 'stroke' && lkw) body.last_known_well_at = new Date(lkw).toISOString();
  return body;
}

async function dispatch(candidate, button) {
  const pathway = (/** @type {HTMLInputElement | null} */ (document.querySelector('input[name=pathway]:checked')))?.value;
  if (!pathway) {
    $('pathway-error').textContent = t('console.call.pathway.missing');
    /** @type {HTMLInputElement | null} */ (document.querySelector('input[name=pathway]'))?.focus();
    return;
  }
  if (!openCase && identityProblem()) return;
  const buttons = [.../** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('#recommendations button.dispatch'))];
  buttons.forEach((b) => { b.disabled = true; });
  button.textContent = t('console.call.dispatching');
  try {
    if (!openCase) {
      const body = caseBody(pathway);
      const json = JSON.stringify(body);
      if (attempt.body !== json) attempt = { body: json, key: newKey() };
      openCase = await api('/cases', { method: 'POST', json: body, headers: { 'Idempotency-Key': attempt.key } });
    }
    const result = await api(`/cases/${openCase.id}/dispatch`, { method: 'POST', json: { ambulance_id: candidate.ambulance_id } });
    toast(t('console.call.dispatched', { callsign: result.ambulance.callsign, id: result.case_id, minutes: result.ambulance.minutes.toFixed(1) }), 'ok');
    const id = openCase.id;
    reset();
    onDispatchedHook(id);
  } catch (error) {
    toast(t('console.call.failed', { detail: errorDetail(error) }), 'error');
    renderLocation();
    if (openCase) onDispatchedHook(openCase.id); // the case is open: list it
    if (spot) recommend(); // the ambulance may have been taken: show the ones left
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    button.textContent = t('console.call.dispatch');
  }
}

function reset() {
  spot = null;
  openCase = null;
  attempt = { body: '', key: '' };
  callStarted = null;
  recommended = [];
  recommendAbort?.abort();
  for (const id of ['place-search', 'coords', 'complaint', 'age', 'caller-phone', 'patient-name', 'patient-id', 'address', 'lkw']) $(id, HTMLInputElement).value = '';
  $('sex', HTMLSelectElement).value = 'unknown';
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name=pathway]'))) input.checked = false;
  for (const id of ['place-results', 'recommendations']) $(id).replaceChildren();
  for (const id of ['coords-error', 'pathway-error', 'identity-error']) $(id).textContent = '';
  showLastKnownWell();
  $('recommend-status').textContent = t('console.call.recommend.wait');
  markCall(null);
  renderLocation();
  warnNearby();
}
