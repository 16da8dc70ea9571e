// The crew's missions (ambulance tablets): the crew's own durable stream, /ws/ambulances/{id}/missions.
//
// A dispatch (POST /cases/{id}/dispatch) reaches the open tablet at once as a `mission.assigned`
// frame: the alarm sounds, a banner shows the village and address, the patient, the caller's
// phone (when the case has one) and the road time, the case opens (when no other is open) and
// the route is drawn on the map (GET /travel-time). A tablet that was offline catches up from
// its last frame when it reconnects (stream.js: no gap, no frame twice). `mission.released`
// (the ambulance is available again) takes the banner down.

import { api, byId, el, fmtTime, isOffline } from './core.js';
import { pick, t } from './i18n.js';
import { playAlarm } from './alarm.js';
import { openStream } from './stream.js';
import { ctx, hooks, pathwayName, recall, remember } from './field-state.js';
import { ecgHeard } from './field-ecg.js';

const RECENT_FRAMES = 20; // how far back a fresh page looks for the mission in progress

/** @returns {string} the crew's ambulance id */
function ambulanceId() {
  return ctx.me?.ambulance_id || '';
}

function missionsPath() {
  return `/ambulances/${encodeURIComponent(ambulanceId())}/missions`;
}

/**
 * The mission in progress from the stream's last frames: the last assigned, unless released.
 * @param {any[]} frames
 */
function current(frames) {
  let found = null;
  for (const frame of frames) {
    if (frame.type === 'mission.assigned') found = frame.mission;
    if (frame.type === 'mission.released' && found && found.case_id === frame.mission.case_id) found = null;
  }
  return found;
}

/**
 * Follow the crew's mission stream; `onState` gets the connection state (for the header).
 * @param {{onState: (state: string) => void, onMission: (mission: any) => void}} handlers
 */
export async function followMissions({ onState, onMission }) {
  let last;
  let epoch;
  try {
    const head = await api(`${missionsPath()}?since=0&limit=1`);
    last = Number(head.head || 0);
    epoch = Number(head.epoch || 0);
    const recent = await api(`${missionsPath()}?since=${Math.max(0, last - RECENT_FRAMES)}`);
    ctx.mission = current(recent.frames || []);
  } catch (error) {
    if (!isOffline(error)) throw error;
    // the server cannot be reached: start after the last frame this device saw, so the stream
    // catches up with what was dispatched meanwhile once it connects
    last = Number(recall('missions.seq', 0));
    epoch = Number(recall('missions.epoch', 0));
    ctx.mission = recall('mission');
  }
  remember('mission', ctx.mission);
  renderMission();
  return openStream(`/ws${missionsPath()}`, {
    since: last,
    epoch,
    confirm: false,
    onState,
    onFrame: (frame) => {
      remember('missions.seq', frame.seq);
      remember('missions.epoch', frame.epoch);
      if (frame.type.startsWith('ecg.')) { // the county's reading of an ECG this crew sent
        ecgHeard(frame.ecg, frame.type === 'ecg.read');
        return;
      }
      if (frame.type === 'mission.assigned') {
        ctx.mission = frame.mission;
        ctx.missionRoute = null;
        playAlarm({ beeps: 3 });
        renderMission();
        loadRoute();
        onMission(frame.mission);
      } else if (frame.type === 'mission.released' && ctx.mission?.case_id === frame.mission?.case_id) {
        ctx.mission = null;
        ctx.missionRoute = null;
        renderMission();
        onMission(null);
      }
      remember('mission', ctx.mission);
    },
  });
}

/** Where the route starts: the tablet's last GPS fix, else the ambulance's position at dispatch. */
function routeStart() {
  if (ctx.lastFix) return [ctx.lastFix.lon, ctx.lastFix.lat];
  const from = ctx.mission?.from;
  return from ? [from.lon, from.lat] : null;
}

/** The road route to the patient (GET /travel-time), shown in the banner and on the map. */
export async function loadRoute() {
  const mission = ctx.mission;
  const start = routeStart();
  if (!mission || !start) return;
  try {
    const route = await api(`/travel-time?from=${start[0]},${start[1]}&to=${mission.lon},${mission.lat}`);
    if (ctx.mission !== mission) return;
    ctx.missionRoute = route.reachable === false ? null : route;
  } catch {
    ctx.missionRoute = null; // offline: the banner keeps the road time from the dispatch
  }
  renderMission();
  drawRoute();
}

let routeLayer = null;

/** Draw the mission's route on the field map (if the map is open). */
export async function drawRoute() {
  const shown = ctx.map;
  if (!shown) return;
  routeLayer?.remove();
  routeLayer = null;
  delete byId('map').dataset.routeCase;
  const mission = ctx.mission;
  if (!mission || mission.case_id !== ctx.caseId) return;
  shown.mark('case', mission.lon, mission.lat, `#${mission.case_id}`);
  const geometry = ctx.missionRoute?.geometry;
  if (!geometry) return;
  const { loadLeaflet } = await import('./map.js');
  const L = await loadLeaflet();
  routeLayer = L.geoJSON(geometry, { style: { color: '#d50000', weight: 5, opacity: 0.85 } }).addTo(shown.map);
  shown.map.fitBounds(routeLayer.getBounds(), { padding: [20, 20] });
  byId('map').dataset.routeCase = String(mission.case_id); // drawn on the canvas: say so
}

/** @param {any} mission */
function placeText(mission) {
  const place = mission.place;
  if (!place) return t('field.mission.place.unknown', { lon: mission.lon.toFixed(5), lat: mission.lat.toFixed(5) });
  return `${pick(place.name_zh, place.pinyin)}${place.township_zh ? ` · ${place.township_zh}` : ''}`;
}

/** @param {any} mission */
function patientText(mission) {
  const patient = mission.patient || {};
  const sex = patient.sex && patient.sex !== 'unknown' ? t(`field.sex.${patient.sex}`) : '';
  const age = patient.age ? `${patient.age}${t('field.age.unit')}` : '';
  const name = mission.patient_name || ctx.caseData?.patient_name || '';
  return [name, sex, age, mission.complaint].filter(Boolean).join(' · ') || '—';
}

/** The mission banner (crews only): hidden without a mission. */
export function renderMission() {
  const box = byId('mission');
  const mission = ctx.mission;
  box.hidden = !mission;
  if (!mission) {
    box.replaceChildren();
    delete box.dataset.caseId;
    return;
  }
  const sameCase = ctx.caseData?.id === mission.case_id ? ctx.caseData : null;
  const phone = mission.caller_phone || sameCase?.caller_phone || '';
  const address = mission.address || sameCase?.address || '';
  const route = ctx.missionRoute;
  const minutes = route ? route.minutes : mission.minutes;
  const meters = route ? route.meters : mission.meters;
  box.dataset.caseId = String(mission.case_id);
  box.replaceChildren(...[
    el('div', { class: 'mission-head' },
      el('strong', { class: 'mission-title' }, t('field.mission.title', { id: mission.case_id, pathway: pathwayName(mission.pathway) })),
      el('span', { class: 'muted' }, t('field.mission.at', { time: fmtTime(mission.at) }))),
    el('p', { class: 'mission-place', dataset: { role: 'place' } }, placeText(mission)),
    address ? el('p', { class: 'mission-address', dataset: { role: 'address' } }, address) : null,
    el('p', { class: 'mission-patient clamp', dataset: { role: 'patient' } }, patientText(mission)),
    phone ? el('p', { class: 'mission-phone' }, t('field.mission.phone'), ' ',
      el('a', { href: `tel:${phone}`, dataset: { role: 'phone' } }, phone)) : null,
    Number.isFinite(minutes) ? el('p', { class: 'mission-route', dataset: { role: 'route', minutes: String(minutes) } },
      t('field.mission.route', { minutes: Math.round(minutes), km: (meters / 1000).toFixed(1) })) : null,
    mission.case_id !== ctx.caseId
      ? el('button', { type: 'button', class: 'primary big', id: 'mission-open', onclick: () => hooks.selectCase(mission.case_id) }, t('field.mission.open'))
      : null,
  ].filter(Boolean));
}
