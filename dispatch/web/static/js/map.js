// The network map, drawn from the API with no online tiles: the road network (/roads), the
// facilities (/facilities) and the drive-time areas (/coverage). A tile layer goes underneath
// only when the server is configured with one (INFOFIRST_MAP_TILE_URL).
//
//   const net = await createMap(document.getElementById('map'), { coverage: { capability: 'pci', minutes: [30, 60] } });
//   net.setAmbulances(featureCollection); net.mark('case', lon, lat, '患者'); net.fit();
//
// Leaflet (vendored, static/vendor/leaflet) is loaded on first use; it is the global `L`.

import { api, config } from './core.js';
import { onLangChange, pick, register, t } from './i18n.js';

const LEAFLET = '/static/vendor/leaflet';

register({
  zh: {
    'map.roads': '道路', 'map.facilities': '医疗机构', 'map.coverage': '车程范围', 'map.ambulances': '救护车',
    'map.minutes': '{minutes}分钟车程（{capability}）', 'map.synthetic': '合成演示路网',
    'map.kind.ambulance_station': '急救站', 'map.kind.village_clinic': '村卫生室', 'map.kind.township_unit': '乡镇卫生院',
    'map.kind.county_hospital': '县医院', 'map.kind.city_hospital': '市医院',
    'map.zoom.in': '放大', 'map.zoom.out': '缩小', 'map.layers': '图层',
  },
  en: {
    'map.roads': 'Roads', 'map.facilities': 'Facilities', 'map.coverage': 'Drive-time areas', 'map.ambulances': 'Ambulances',
    'map.minutes': '{minutes} min by road ({capability})', 'map.synthetic': 'synthetic demo roads',
    'map.kind.ambulance_station': 'Ambulance station', 'map.kind.village_clinic': 'Village clinic', 'map.kind.township_unit': 'Township unit',
    'map.kind.county_hospital': 'County hospital', 'map.kind.city_hospital': 'City hospital',
    'map.zoom.in': 'Zoom in', 'map.zoom.out': 'Zoom out', 'map.layers': 'Layers',
  },
});

/** @typedef {typeof import('leaflet')} Leaflet */

/** @type {Record<string, string>} */
export const KIND_COLORS = {
  ambulance_station: '#1565c0',
  village_clinic: '#7cb342',
  township_unit: '#f9a825',
  county_hospital: '#c62828',
  city_hospital: '#6a1b9a',
};
/** @type {Record<string, number>} */
const ROAD_WEIGHTS = { expressway: 4, motorway: 4, national: 3.5, trunk: 3.5, provincial: 3, primary: 3, county: 2.5, secondary: 2.5, township: 1.8, tertiary: 1.8 };
const COVERAGE_COLORS = ['#2e7d32', '#9e9d24', '#ef6c00', '#b71c1c'];

/** @type {Promise<Leaflet> | null} */
let leafletPromise = null;

/**
 * Load the vendored Leaflet once (script and stylesheet); resolves to `L`.
 * @returns {Promise<Leaflet>}
 */
export function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  if (!leafletPromise) {
    /** @param {HTMLLinkElement | HTMLScriptElement} node */
    const load = (node) => new Promise((resolve, reject) => {
      node.onload = resolve;
      node.onerror = () => reject(new Error(`${'src' in node ? node.src : node.href} could not be loaded`));
      document.head.append(node);
    });
    const css = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: `${LEAFLET}/leaflet.css` });
    const script = Object.assign(document.createElement('script'), { src: `${LEAFLET}/leaflet.js` });
    leafletPromise = Promise.all([load(css), load(script)]).then(() => {
      if (!window.L) throw new Error(`${LEAFLET}/leaflet.js did not define L`);
      return window.L;
    });
  }
  return leafletPromise;
}

/** @param {any} props a facility's properties (the API's JSON) */
function facilityLabel(props) {
  const kind = t(`map.kind.${props.kind}`);
  return `${pick(props.name_zh || props.name, props.name_en)} · ${kind}`;
}

/**
 * @typedef {object} MapOptions
 * @property {boolean} [roads] draw the road network (default true)
 * @property {boolean} [facilities] draw the facilities (default true)
 * @property {{capability: string, minutes: number[]} | null} [coverage] default pci 30/60
 * @property {((properties: any) => void) | null} [onFacilityClick]
 */

/**
 * @typedef {object} NetworkMap
 * @property {import('leaflet').Map} map
 * @property {Record<'coverage' | 'roads' | 'facilities' | 'ambulances' | 'marks', import('leaflet').LayerGroup>} layers
 * @property {any} facilities the FeatureCollection drawn (the API's JSON), or null
 * @property {(collection: any) => void} setAmbulances
 * @property {(name: string, lon: number, lat: number, label?: string, color?: string) => import('leaflet').CircleMarker} mark
 * @property {() => void} fit
 */

/**
 * Draw the network map into `container`. Options: `roads` (default true), `facilities`
 * (default true), `coverage` ({capability, minutes: [..]} or null; default pci 30/60),
 * `onFacilityClick(properties)`. Returns `{map, layers, facilities, setAmbulances, mark, fit}`;
 * `facilities` is the FeatureCollection drawn (or null).
 * @param {HTMLElement} container
 * @param {MapOptions} [options]
 * @returns {Promise<NetworkMap>}
 */
export async function createMap(container, { roads = true, facilities = true, coverage = { capability: 'pci', minutes: [30, 60] }, onFacilityClick = null } = {}) {
  const L = await loadLeaflet();
  const settings = await config();
  const map = L.map(container, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  const zoomTitles = () => { // Leaflet's own titles are English: in place, so the controls keep their order
    for (const [selector, key] of [['.leaflet-control-zoom-in', 'map.zoom.in'], ['.leaflet-control-zoom-out', 'map.zoom.out']]) {
      const button = map.zoomControl?.getContainer()?.querySelector(selector);
      if (!(button instanceof HTMLElement)) continue;
      button.title = t(key);
      button.setAttribute('aria-label', t(key));
    }
  };
  zoomTitles();
  onLangChange(zoomTitles);
  map.attributionControl.setPrefix(false);
  if (settings.tile_url) {
    L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || '', maxZoom: 18 }).addTo(map);
  }
  let attribution = settings.synthetic ? t('map.synthetic') : '';
  if (attribution) map.attributionControl.addAttribution(attribution);
  onLangChange(() => {
    if (!attribution) return;
    map.attributionControl.removeAttribution(attribution);
    attribution = t('map.synthetic');
    map.attributionControl.addAttribution(attribution);
  });
  const layers = {
    coverage: L.layerGroup().addTo(map),
    roads: L.layerGroup().addTo(map),
    facilities: L.layerGroup().addTo(map),
    ambulances: L.layerGroup().addTo(map),
    marks: L.layerGroup().addTo(map),
  };
  /** @type {Record<string, import('leaflet').LayerGroup>} */
  const overlays = {};
  const [roadData, facilityData, coverageData] = await Promise.all([
    roads ? api('/roads') : null,
    facilities ? api('/facilities') : null,
    coverage ? api(`/coverage?capability=${encodeURIComponent(coverage.capability)}&minutes=${coverage.minutes.join(',')}`) : null,
  ]);
  if (coverageData) {
    /** @type {import('geojson').Feature<import('geojson').Geometry, {minutes: number}>[]} */
    const areas = [...coverageData.features].sort((a, b) => b.properties.minutes - a.properties.minutes);
    const count = areas.length;
    areas.forEach((feature, index) => {
      const color = COVERAGE_COLORS[Math.min(count - 1 - index, COVERAGE_COLORS.length - 1)];
      L.geoJSON(feature, { style: { color, weight: 1, fillColor: color, fillOpacity: 0.12 }, interactive: false }).addTo(layers.coverage);
    });
    overlays.coverage = layers.coverage;
  }
  if (roadData) {
    L.geoJSON(roadData, {
      style: (feature) => ({ color: '#5d6d7e', weight: ROAD_WEIGHTS[feature?.properties.road_class] || 1.2, opacity: 0.8 }),
      interactive: false,
    }).addTo(layers.roads);
    overlays.roads = layers.roads;
  }
  if (facilityData) {
    L.geoJSON(facilityData, {
      pointToLayer: (feature, latlng) => {
        const kind = feature.properties.kind;
        const big = kind === 'county_hospital' || kind === 'city_hospital';
        return L.circleMarker(latlng, {
          radius: big ? 9 : kind === 'village_clinic' ? 3.5 : 6,
          color: '#222', weight: 1, fillColor: KIND_COLORS[kind] || '#555', fillOpacity: 0.95,
        });
      },
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(() => facilityLabel(feature.properties));
        if (onFacilityClick) layer.on('click', () => onFacilityClick(feature.properties));
      },
    }).addTo(layers.facilities);
    overlays.facilities = layers.facilities;
  }
  overlays.ambulances = layers.ambulances;
  const names = () => Object.fromEntries(Object.entries(overlays).map(([key, layer]) => [t(`map.${key}`), layer]));
  const layersControl = () => {
    const made = L.control.layers(undefined, names(), { collapsed: true }).addTo(map);
    const toggle = made.getContainer()?.querySelector('.leaflet-control-layers-toggle');
    if (toggle instanceof HTMLElement) toggle.title = t('map.layers'); // Leaflet's own is English
    return made;
  };
  let control = layersControl();
  onLangChange(() => {
    control.remove();
    control = layersControl();
  });

  /** @type {Map<string, import('leaflet').CircleMarker>} */
  const marks = new Map();
  function fit() {
    const bounds = L.latLngBounds([]);
    for (const layer of [layers.roads, layers.facilities, layers.marks]) {
      layer.eachLayer((item) => {
        if ('getBounds' in item && typeof item.getBounds === 'function') bounds.extend(item.getBounds());
        else if ('getLatLng' in item && typeof item.getLatLng === 'function') bounds.extend(item.getLatLng());
      });
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([33.44, 114.88], 10);
  }
  fit();
  return {
    map,
    layers,
    facilities: facilityData,
    /** Show ambulances (a FeatureCollection from /ambulances), replacing the previous ones. */
    /** @param {any} collection */
    setAmbulances(collection) {
      layers.ambulances.clearLayers();
      L.geoJSON(collection, {
        filter: (feature) => Boolean(feature.geometry),
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 6, color: '#fff', weight: 2, fillColor: '#0d47a1', fillOpacity: 1 }),
        onEachFeature: (feature, layer) => layer.bindTooltip(`${feature.properties.callsign} · ${feature.properties.status}`),
      }).addTo(layers.ambulances);
    },
    /** Put (or move) a named marker, e.g. the patient: mark('case', lon, lat, '患者'). */
    mark(name, lon, lat, label = '', color = '#d50000') {
      marks.get(name)?.remove();
      const marker = L.circleMarker([lat, lon], { radius: 10, color: '#fff', weight: 3, fillColor: color, fillOpacity: 1 });
      if (label) marker.bindTooltip(label, { permanent: true, direction: 'top', offset: [0, -10] });
      marker.addTo(layers.marks);
      marks.set(name, marker);
      return marker;
    },
    /** Zoom to everything drawn. */
    fit,
  };
}
