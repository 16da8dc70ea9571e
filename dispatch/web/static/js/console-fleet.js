// The fleet and the receiving centres: ambulances polled every few seconds (drawn on the map,
// counted by status in the legend), facilities' cath-lab status polled less often.

import { api, el, fmtTime } from './core.js';
import { onLangChange, t } from './i18n.js';
import { drawAmbulances } from './console-map.js';
import { facilityName, poll, state } from './console-util.js';
import { STATUS_KEYS } from './console-texts.js';

const AMBULANCE_MS = 5000;
const FACILITY_MS = 30_000;
const RECEIVING = ['pci', 'stroke_thrombolysis', 'thrombectomy'];
const SHOWN_CAPS = ['pci_24_7', 'pci', 'ct', 'stroke_thrombolysis', 'thrombectomy'];

/**
 * Start following the fleet and the centres; `onChange()` after each ambulance update.
 * @param {{legend: HTMLElement, updated: HTMLElement, centres: HTMLElement, onChange: () => void}} parts
 */
export function startFleet({ legend, updated, centres, onChange }) {
  /** @type {string | null} */
  let lastOk = null;
  /** @type {{features: any[]}} the FeatureCollection of /ambulances (the API's JSON) */
  let collection = { features: [] };
  const renderLegend = () => {
    const counts = Object.fromEntries(STATUS_KEYS.map((key) => [key, 0]));
    for (const feature of collection.features) counts[feature.properties.status] = (counts[feature.properties.status] || 0) + 1;
    legend.replaceChildren(...STATUS_KEYS.map((key) => el('span', { class: `legend-item amb-legend-${key}`, dataset: { status: key } },
      el('span', { class: `swatch amb-${key}`, 'aria-hidden': 'true' }),
      `${t(`console.status.${key}`)} `, el('strong', {}, String(counts[key])))));
  };
  const fleet = poll(async () => {
    try {
      collection = await api('/ambulances');
      lastOk = new Date().toISOString();
      state.ambulances = new Map(collection.features.map((f) => [f.properties.id, f.properties]));
      drawAmbulances(collection);
      renderLegend();
      updated.textContent = t('console.fleet.updated', { time: fmtTime(lastOk) });
      updated.classList.remove('stale');
      onChange();
    } catch (error) {
      updated.textContent = t('console.fleet.stale', { time: lastOk ? fmtTime(lastOk) : '—' });
      updated.classList.add('stale');
      throw error;
    }
  }, AMBULANCE_MS, 'ambulances');

  const renderCentres = () => {
    const receiving = [...state.facilities.values()]
      .filter((f) => (f.capabilities || []).some((/** @type {string} */ cap) => RECEIVING.includes(cap)))
      .sort((a, b) => b.capabilities.length - a.capabilities.length);
    centres.replaceChildren(...receiving.map((f) => el('li', { class: 'centre', dataset: { facilityId: f.id, status: f.status } },
      el('span', { class: 'centre-name' }, facilityName(f.id)),
      el('span', { class: 'caps' }, SHOWN_CAPS.filter((cap) => f.capabilities.includes(cap) && !(cap === 'pci' && f.capabilities.includes('pci_24_7')))
        .map((cap) => el('span', { class: 'cap' }, t(`console.cap.${cap}`)))),
      el('span', { class: `facility-status status-${f.status}` }, t(`console.facility.status.${f.status}`)))));
  };
  poll(async () => {
    const found = await api('/facilities');
    for (const feature of found.features) state.facilities.set(feature.properties.id, feature.properties);
    renderCentres();
  }, FACILITY_MS, 'facilities');
  onLangChange(() => {
    renderLegend();
    renderCentres();
    if (lastOk) updated.textContent = t('console.fleet.updated', { time: fmtTime(lastOk) });
  });
  return fleet;
}
