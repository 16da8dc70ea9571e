// Drills and quality control on the reports page (issue 16): a unit's drills with their scores;
// the county (admin, dispatcher, data manager) schedules one, starts one now (unannounced),
// starts, ends or cancels it; everyone who may read the unit downloads its quality-control
// report (real and drill times side by side, by month, against the targets) as Excel or PDF.
// A unit's own users see only their unit (the server enforces it).

import { api, byId, el, errorDetail, fmtTime, newKey, toast } from './core.js';
import { getLang, onLangChange, t } from './i18n.js';
import { download } from './reports-files.js';

const COUNTY = ['admin', 'dispatcher', 'data_manager'];
const OWN_FACILITY = ['township', 'cathlab'];
const UNIT_KINDS = ['township_unit', 'county_hospital', 'city_hospital'];
const PATHWAYS = ['stemi', 'chest_pain', 'stroke'];

/**
 * @typedef {object} DrillsSetup
 * @property {any} user
 * @property {Map<string, any>} facilities
 * @property {(id: string) => string} facilityName
 * @property {(id: string) => string} pathwayName
 * @property {() => {from: string, to: string}} period
 */

/** @type {DrillsSetup | null} */
let setup = null;
/** @type {any[]} */
let drills = [];

function unit() {
  return byId('drill-unit', HTMLSelectElement).value;
}

function county() {
  return COUNTY.includes(setup?.user.role);
}

function fillUnits() {
  if (!setup) return;
  const select = byId('drill-unit', HTMLSelectElement);
  const value = select.value;
  const own = OWN_FACILITY.includes(setup.user.role);
  const units = [...setup.facilities.values()]
    .filter((f) => (own ? f.id === setup?.user.facility_id : UNIT_KINDS.includes(f.kind)))
    .sort((a, b) => UNIT_KINDS.indexOf(a.kind) - UNIT_KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
  select.replaceChildren(...units.map((f) => el('option', { value: f.id }, setup?.facilityName(f.id) || f.id)));
  select.value = own ? setup.user.facility_id : value || units[0]?.id || '';
  select.disabled = own;
  const pathway = byId('drill-pathway', HTMLSelectElement);
  const chosen = pathway.value;
  pathway.replaceChildren(...PATHWAYS.map((id) => el('option', { value: id }, setup?.pathwayName(id) || id)));
  pathway.value = chosen || 'stemi';
}

/** @param {any} drill */
function actions(drill) {
  if (!county()) return [];
  const button = (/** @type {string} */ action) => el('button', {
    type: 'button', class: `drill-${action}`, dataset: { drillId: String(drill.id) }, onclick: () => act(drill.id, action),
  }, t(`drills.${action}`));
  if (drill.status === 'scheduled') return [button('start'), ' ', button('cancel')];
  if (drill.status === 'started') return [button('end'), ' ', button('cancel')];
  return [];
}

function render() {
  const rows = drills.map((d) => el('tr', { dataset: { drillId: String(d.id), status: d.status } },
    el('td', {}, `#${d.id}`),
    el('td', {}, fmtTime(d.scheduled_at)),
    el('td', {}, setup?.pathwayName(d.pathway) || d.pathway),
    el('td', {}, t(d.unannounced ? 'drills.kind.unannounced' : 'drills.kind.announced')),
    el('td', { class: 'drill-status' }, t(`drills.status.${d.status}`)),
    el('td', {}, d.case_id ? `#${d.case_id}` : ''),
    el('td', { class: 'num drill-score' }, d.score ? `${d.score.met}/${d.score.judged}` : ''),
    el('td', {}, ...actions(d))));
  byId('drills-body').replaceChildren(...rows);
  byId('drills-none').hidden = drills.length > 0;
}

async function loadDrills() {
  const chosen = unit();
  if (!chosen) return;
  try {
    const found = await api(`/drills?facility_id=${encodeURIComponent(chosen)}`);
    if (chosen !== unit()) return; // another unit was chosen meanwhile
    drills = found;
    render();
  } catch (error) {
    toast(t('drills.failed', { detail: errorDetail(error) }), 'error');
  }
}

/**
 * @param {number} id
 * @param {string} action
 */
async function act(id, action) {
  try {
    await api(`/drills/${id}/${action}`, { method: 'POST' });
  } catch (error) {
    toast(t('drills.failed', { detail: errorDetail(error) }), 'error');
  }
  await loadDrills();
}

/** @param {boolean} now */
async function create(now) {
  const error = byId('drill-error');
  error.textContent = '';
  const when = byId('drill-when', HTMLInputElement).value;
  if (!now && !when) {
    error.textContent = t('drills.when.missing');
    return;
  }
  const body = { facility_id: unit(), pathway: byId('drill-pathway', HTMLSelectElement).value, ...(now ? { unannounced: true } : { scheduled_at: new Date(when).toISOString() }) };
  try {
    const drill = await api('/drills', { method: 'POST', json: body, headers: { 'Idempotency-Key': newKey() } });
    toast(now ? t('drills.started', { id: drill.id, case: drill.case_id }) : t('drills.scheduled', { id: drill.id }), 'ok', 6000);
  } catch (err) {
    error.textContent = t('drills.failed', { detail: errorDetail(err) });
  }
  await loadDrills();
}

/** @param {'xlsx' | 'pdf'} format @param {HTMLButtonElement} button */
function downloadQc(format, button) {
  if (!setup) return;
  const { from, to } = setup.period();
  const params = new URLSearchParams({ from, to, format, lang: getLang() });
  download(`/qc/units/${encodeURIComponent(unit())}?${params}`, `qc-${unit()}-${from}-${to}.${format}`, button);
}

/** @param {DrillsSetup} given */
export async function setUpDrills(given) {
  setup = given;
  byId('drill-form').hidden = !county();
  fillUnits();
  byId('drill-unit').addEventListener('change', loadDrills);
  byId('drill-form').addEventListener('submit', (event) => {
    event.preventDefault();
    create(false);
  });
  byId('drill-now').addEventListener('click', () => create(true));
  const xlsx = byId('qc-xlsx', HTMLButtonElement);
  const pdf = byId('qc-pdf', HTMLButtonElement);
  xlsx.addEventListener('click', () => downloadQc('xlsx', xlsx));
  pdf.addEventListener('click', () => downloadQc('pdf', pdf));
  onLangChange(() => {
    fillUnits();
    render();
  });
  await loadDrills();
}
