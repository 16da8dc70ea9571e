// The console's map: the shared network map (roads, facilities, drive-time areas) plus the
// ambulances coloured by status, a choice of drive-time overlay, facility cards on click and
// picking the caller's location with a click.

import { api, el, errorMessage, fmtTime, toast } from './core.js';
import { t } from './i18n.js';
import { createMap, loadLeaflet } from './map.js';
import { facilityName, state } from './console-util.js';

// Which drive-time overlay: the capability and its thresholds (minutes).
/** @type {Record<string, number[]>} */
export const COVERAGES = {
  pci: [30, 60],
  thrombolysis: [30, 60],
  stroke_thrombolysis: [30, 60],
  thrombectomy: [60, 120],
};
const COVERAGE_COLORS = ['#2e7d32', '#9e9d24', '#ef6c00', '#b71c1c'];
const MARKER_WIDTH = 30; // px: ambulances at the same place are set side by side

/** @type {import('./map.js').Leaflet | null} */
let L = null;
/** @type {import('./map.js').NetworkMap | null} */
let net = null;

/** The map and Leaflet, which setupMap() set up (asking before is a bug). */
function drawn() {
  if (!net || !L) throw new Error('the map is not set up yet');
  return { net, L };
}

/**
 * Draw the map into `container`; `onPick(lon, lat)` when the dispatcher clicks a point.
 * @param {HTMLElement} container
 * @param {{onPick: (lon: number, lat: number) => void}} hooks
 */
export async function setupMap(container, { onPick }) {
  L = await loadLeaflet();
  let facilityClicked = 0;
  net = await createMap(container, {
    coverage: { capability: 'pci', minutes: COVERAGES.pci },
    onFacilityClick: (properties) => {
      facilityClicked = Date.now();
      showFacility(properties);
    },
  });
  for (const feature of net.facilities?.features || []) {
    state.facilities.set(feature.properties.id, feature.properties);
    if (feature.geometry) state.facilityPoints.set(feature.properties.id, feature.geometry.coordinates);
  }
  net.map.on('click', (event) => {
    if (Date.now() - facilityClicked < 300) return; // the click was on a facility
    onPick(event.latlng.lng, event.latlng.lat);
  });
  return net;
}

/**
 * Replace the drive-time overlay (`capability` '' hides it).
 * @param {string} capability
 */
export async function showCoverage(capability) {
  const { net, L } = drawn();
  net.layers.coverage.clearLayers();
  if (!capability) return;
  const minutes = COVERAGES[capability];
  try {
    const data = await api(`/coverage?capability=${encodeURIComponent(capability)}&minutes=${minutes.join(',')}`);
    /** @type {import('geojson').Feature<import('geojson').Geometry | null, {minutes: number}>[]} */
    const features = data.features;
    const areas = [...features].filter((f) => f.geometry).sort((a, b) => b.properties.minutes - a.properties.minutes);
    areas.forEach((feature, index) => {
      const color = COVERAGE_COLORS[Math.min(areas.length - 1 - index, COVERAGE_COLORS.length - 1)];
      L.geoJSON(feature, { style: { color, weight: 1, fillColor: color, fillOpacity: 0.12 }, interactive: false })
        .bindTooltip(t('map.minutes', { minutes: feature.properties.minutes, capability: t(`console.cap.${capability}`) }))
        .addTo(net.layers.coverage);
    });
  } catch (error) {
    toast(errorMessage(error), 'error');
  }
}

/**
 * Draw the ambulances (a FeatureCollection from /ambulances), coloured by status.
 * @param {{features: any[]}} collection the API's JSON
 */
export function drawAmbulances(collection) {
  const { net, L } = drawn();
  net.layers.ambulances.clearLayers();
  /** @type {Map<string, any[]>} */
  const byPlace = new Map();
  for (const feature of collection.features) {
    if (!feature.geometry) continue;
    /** @type {[number, number]} */
    const [lon, lat] = feature.geometry.coordinates;
    const key = `${lon.toFixed(4)},${lat.toFixed(4)}`;
    const group = byPlace.get(key) || [];
    byPlace.set(key, group);
    group.push(feature);
  }
  for (const group of byPlace.values()) {
    group.sort((a, b) => a.properties.callsign.localeCompare(b.properties.callsign));
    group.forEach((feature, index) => {
      const p = feature.properties;
      const [lon, lat] = feature.geometry.coordinates;
      const shift = (index - (group.length - 1) / 2) * MARKER_WIDTH;
      const icon = L.divIcon({
        className: `amb-marker amb-${p.status}`,
        html: '',
        iconSize: [MARKER_WIDTH - 2, 20],
        iconAnchor: [(MARKER_WIDTH - 2) / 2 - shift, 10],
      });
      const marker = L.marker([lat, lon], { icon, keyboard: false, title: p.callsign });
      marker.on('add', () => {
        const node = marker.getElement();
        if (node) {
          node.textContent = shortCallsign(p.callsign);
          node.dataset.ambulanceId = p.id;
          node.dataset.status = p.status;
        }
      });
      marker.bindTooltip(() => `${p.callsign} · ${t(`console.status.${p.status}`)}${p.position_at ? ` · ${fmtTime(p.position_at)}` : ''}`);
      marker.addTo(net.layers.ambulances);
    });
  }
}

/**
 * "项城120-07" → "07": the number that tells ambulances of one station apart.
 * @param {string} callsign
 */
function shortCallsign(callsign) {
  const match = /(\d+)\s*$/.exec(callsign || '');
  return match ? match[1] : callsign;
}

/**
 * Mark the caller's location (or remove the mark with null).
 * @param {number | null} lon
 * @param {number} [lat]
 * @param {string} [label]
 */
export function markCall(lon, lat, label) {
  if (!net) return; // the map is still loading: the call panel marks it when it is there
  if (lon === null) {
    net.layers.marks.clearLayers();
    return;
  }
  if (lat === undefined) return; // not a point: the callers always give one
  net.mark('call', lon, lat, label, '#d50000');
  net.map.setView([lat, lon], Math.max(net.map.getZoom(), 12), { animate: false });
}

/**
 * Pan to a point and mark it (e.g. an active case).
 * @param {number} lon
 * @param {number} lat
 * @param {string} label
 */
export function showPoint(lon, lat, label) {
  if (!net) return;
  net.mark('call', lon, lat, label, '#d50000');
  net.map.setView([lat, lon], Math.max(net.map.getZoom(), 12), { animate: false });
}

/** @param {any} clicked the facility's properties (the API's JSON) */
function showFacility(clicked) {
  const { net, L } = drawn();
  const properties = state.facilities.get(clicked.id) || clicked; // the latest status
  const point = state.facilityPoints.get(properties.id);
  if (!point) return;
  const caps = properties.capabilities || [];
  const card = el('div', { class: 'facility-card' },
    el('strong', {}, facilityName(properties.id)),
    el('div', { class: 'muted' }, t(`map.kind.${properties.kind}`)),
    el('div', { class: 'caps' }, caps.length
      ? caps.map((/** @type {string} */ cap) => el('span', { class: 'cap' }, t(`console.cap.${cap}`)))
      : t('console.facility.none')),
    caps.includes('pci') && el('div', { class: `facility-status status-${properties.status}` },
      t('console.facility.cathlab', { status: t(`console.facility.status.${properties.status}`) })));
  L.popup({ maxWidth: 320 }).setLatLng([point[1], point[0]]).setContent(card).openOn(net.map);
}
