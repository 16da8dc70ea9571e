// The field app (/field): ambulance tablets and township units.
//
// Everything the user does on a case goes through the outbox (queue.js) with its idempotency
// key and its original device time, so a bad connection only delays it. The answer from the
// centre comes back on the township's own alert stream (or by polling, for ambulance crews).

import { api, beforeSignOut, byId, config, el, errorDetail, errorMessage, fmtTime, fresh, isOffline, setLive, stale, startPage, toast } from './core.js';
import { onLangChange, t } from './i18n.js';
import { openOutbox } from './queue.js';
import { openStream, streamHead } from './stream.js';
import { milestoneLabel } from './milestones.js';
import { FIELD_TEXTS } from './field-texts.js';
import { ctx, hooks, pathwayName, recall, remember } from './field-state.js';
import { addEcg, eventSent, openEarlier, renderEcgs, renderStamps, renderTimeline } from './field-case.js';
import { alertSeen, buildAlertForm, buildFindings, loadAlerts, loadDecision, relabelDestinations, renderAlertEcgs, renderAnswer, renderDecision, sendAlertWithEcgs } from './field-alert.js';
import { loadCases, renderCases, setUpNewCase } from './field-cases.js';
import { drawRoute, followMissions, loadRoute, renderMission } from './field-mission.js';
import { setUpOneKey } from './field-one-key.js';
import { needsGesture, start as startSound, unlock } from './alarm.js';
import { drillHeard } from './field-drill.js';
import { clearReadings, ecgHeard, loadReadings, onStemiAlert, renderReadings, sendEcgForReading } from './field-ecg.js';

const POLL_MS = 5000;
const GPS_BATCH_MS = 15_000;
// the case list, while it is shown: a patient sent to this unit appears without a reload
const CASES_MS = 10_000;

// --- sending ----------------------------------------------------------------------------------

/** Make the facility the case's destination (a transfer; sent again, it changes nothing). */
function sendTo(caseId, facilityId) {
  return api(`/cases/${caseId}`, { method: 'PATCH', json: { destination_facility_id: facilityId } });
}

const senders = {
  event: async (item) => {
    // a unit's door-out: the patient goes on to the centre of the live alert (while this unit
    // still holds the patient, so before the door-out closes its leg)
    if (item.destination) await sendTo(item.case_id, item.destination);
    return api(`/cases/${item.case_id}/events`, {
      method: 'POST',
      json: { ...item.body, device_at: new Date().toISOString() }, // the device's clock when sent
      headers: { 'Idempotency-Key': item.key },
    });
  },
  ecg_reading: sendEcgForReading,
  upload: async (item) => {
    const form = new FormData();
    form.append('file', item.blob, item.name || 'ecg');
    return (await api('/attachments', { method: 'POST', form })).id;
  },
  alert: async (item, refs) => {
    const attachmentIds = [];
    for (const ref of item.refs || []) {
      const id = await refs.get(ref);
      if (id) attachmentIds.push(id);
    }
    const sent = await api('/alerts', {
      method: 'POST',
      json: { ...item.body, attachment_ids: [...(item.body.attachment_ids || []), ...attachmentIds] },
      headers: { 'Idempotency-Key': item.key },
    });
    return sent.alert;
  },
  status: async (item) => {
    // the crew's status button: the destination first (the door-in is stamped there), then the
    // status, which stamps the milestone on the case (the state machine refuses a wrong step)
    if (item.destination) await sendTo(item.case_id, item.destination);
    return api(`/ambulances/${encodeURIComponent(item.ambulance_id)}/status`, { method: 'POST', json: item.body });
  },
  positions: (item) => api(`/ambulances/${encodeURIComponent(item.ambulance_id)}/positions`, { method: 'POST', json: item.body }),
};

function itemLabel(item) {
  return item.kind === 'event' || item.kind === 'status' ? milestoneLabel(item.milestone) : item.label;
}

function onSent(item, result) {
  ctx.online = true;
  if (item.kind === 'event') eventSent(item, result);
  if (item.kind === 'alert') alertSeen(result);
  if (item.kind === 'ecg_reading') ecgHeard(result);
  if (item.case_id === ctx.caseId && item.kind !== 'positions') refreshCaseSoon();
}

function onFailed(item, error) {
  toast(t('field.queue.failed', { label: itemLabel(item), detail: errorDetail(error) }), 'error', 12_000);
}

async function onQueueChange() {
  ctx.pending = await ctx.outbox.items();
  render();
}

function renderQueue() {
  const box = document.getElementById('queue');
  const items = ctx.pending;
  box.hidden = items.length === 0;
  byId('queue-title').textContent = t('field.queue.title', { n: items.length });
  const state = ctx.outbox?.state || 'idle';
  byId('queue-state').textContent = t(`field.queue.${state}`);
  box.dataset.state = state;
  byId('queue-list').replaceChildren(...items.map((item) => el('li', {
    dataset: { kind: item.kind, key: item.key, at: item.at || '', milestone: item.milestone || '' },
  }, `${fmtTime(item.at)} · ${itemLabel(item)}${item.case_id ? ` · #${item.case_id}` : ''}`)));
}

// --- connectivity -----------------------------------------------------------------------------

let stream = null;

function updateLive() {
  const queueStuck = ctx.outbox?.state === 'waiting';
  let state;
  if (!navigator.onLine || queueStuck) state = 'offline';
  else if (stream) state = stream.state;
  else state = ctx.online ? 'live' : 'offline';
  setLive(state);
}

async function followStream() {
  // township units hear the answers to their alerts on their own facility's stream
  const facilityId = ctx.me.facility_id;
  const { epoch, head } = await streamHead(facilityId);
  stream = openStream(`/ws/facilities/${encodeURIComponent(facilityId)}/alerts`, {
    since: head, epoch, confirm: false,
    onFrame: (frame) => {
      if (frame.type.startsWith('drill.')) { // the county started (or ended) a drill here
        drillHeard(frame).catch((error) => stale('drill', error));
        return;
      }
      if (frame.type.startsWith('ecg.')) { // the county's reading of an ECG this unit sent
        ecgHeard(frame.ecg, frame.type === 'ecg.read');
        if (frame.ecg?.case_id === ctx.caseId) refreshCaseSoon(); // the diagnosis stamp
        return;
      }
      alertSeen(frame.alert);
      if (frame.alert?.case_id === ctx.caseId) refreshCaseSoon(); // e.g. cathlab_activated
    },
    onState: (state) => {
      if (state === 'live') {
        ctx.online = true;
        ctx.outbox.flush();
        if (ctx.caseId) loadAlerts().catch((error) => stale('alerts', error));
      }
      updateLive();
    },
  });
}

async function followCrewStream() {
  // an ambulance crew hears of its dispatches on its ambulance's own stream
  stream = await followMissions({
    onState: (state) => {
      if (state === 'live') {
        ctx.online = true;
        ctx.outbox.flush();
      }
      updateLive();
    },
    onMission: (mission) => {
      loadCases().catch((error) => stale('cases', error));
      if (mission && !ctx.caseId) selectCase(mission.case_id);
      else render();
    },
  });
}

async function poll() {
  // crews (no facility stream) ask for their case's alerts; also the case itself
  if (!ctx.caseId || document.hidden) return;
  try {
    const before = JSON.stringify([...ctx.alerts.values()].map((a) => a.status));
    await loadAlerts();
    ctx.online = true;
    if (JSON.stringify([...ctx.alerts.values()].map((a) => a.status)) !== before) refreshCaseSoon();
  } catch (err) {
    ctx.online = !isOffline(err);
    stale('alerts', err);
  }
  updateLive();
}

// --- the case ------------------------------------------------------------------------------

let refreshTimer = null;

function refreshCaseSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshCase().catch((error) => stale('case', error));
    loadDecision(); // a new stamp (e.g. the diagnosis) changes the recommendation
  }, 800);
}

async function refreshCase() {
  if (!ctx.caseId) return;
  const caseId = ctx.caseId;
  const found = await api(`/cases/${caseId}`);
  fresh('case');
  if (caseId !== ctx.caseId) return;
  ctx.caseData = found;
  remember(`case.${caseId}`, found);
  render();
}

async function selectCase(caseId, data = null) {
  ctx.caseId = caseId;
  ctx.alerts = new Map();
  ctx.decision = null;
  clearReadings();
  remember('current', caseId);
  ctx.caseData = data || recall(`case.${caseId}`);
  try {
    ctx.caseData = await api(`/cases/${caseId}`);
    fresh('case');
    remember(`case.${caseId}`, ctx.caseData);
  } catch (err) {
    if (!ctx.caseData || !isOffline(err)) {
      toast(errorMessage(err), 'error');
      showPicker();
      return;
    }
    stale('case', err); // offline: the copy kept on this device
  }
  byId('picker').hidden = true;
  byId('case').hidden = false;
  buildFindings();
  buildAlertForm();
  render();
  loadDecision();
  loadAlerts().catch((error) => stale('alerts', error));
  loadReadings().catch((error) => stale('ecgs', error));
  startGps();
  if (ctx.mission?.case_id === caseId) {
    byId('map-box', HTMLDetailsElement).open = true; // the route to the patient
    loadRoute();
  }
}

function showPicker() {
  ctx.caseId = null;
  remember('current', null);
  stopGps();
  byId('picker').hidden = false;
  byId('case').hidden = true;
  byId('answer').hidden = true;
  loadCases().catch((error) => {
    stale('cases', error);
    renderCases();
  });
}

function render() {
  renderQueue();
  updateLive();
  renderCases();
  if (ctx.me.role === 'crew') renderMission();
  if (!ctx.caseId || !ctx.caseData) return;
  const c = ctx.caseData;
  const title = byId('case-title');
  title.textContent = t('field.case.title', {
    id: c.id, pathway: pathwayName(c.pathway), drill: c.drill ? ` · ${t('alert.drill')}` : '', complaint: c.complaint || '',
  });
  title.title = c.complaint || ''; // the whole complaint; the title itself is clamped to two lines
  renderStamps();
  renderTimeline();
  renderEcgs();
  renderReadings();
  renderAlertEcgs();
  renderAnswer();
}

// --- GPS (ambulance crews, while on a case) ----------------------------------------------------

let watchId = null;
let batchTimer = null;
const fixes = [];

let gpsText = null; // [key, vars]: re-translated on a language switch

function gpsState(key, vars = {}) {
  gpsText = [key, vars];
  byId('gps-state').textContent = t(key, vars);
}

function startGps() {
  if (ctx.me.role !== 'crew' || !ctx.me.ambulance_id) return; // township units have no ambulance
  byId('gps-box').hidden = false;
  if (watchId !== null) return;
  if (!window.isSecureContext || !navigator.geolocation) {
    gpsState('field.gps.insecure');
    return;
  }
  watchId = navigator.geolocation.watchPosition((found) => {
    const fix = { lon: found.coords.longitude, lat: found.coords.latitude, recorded_at: new Date(found.timestamp).toISOString() };
    if (Number.isFinite(found.coords.speed) && found.coords.speed >= 0) fix.speed_kmh = Math.min(found.coords.speed * 3.6, 300);
    if (Number.isFinite(found.coords.heading) && found.coords.heading >= 0) fix.heading = found.coords.heading % 360;
    fixes.push(fix);
    ctx.lastFix = fix;
    gpsState('field.gps.on', { n: fixes.length, time: fmtTime(fix.recorded_at) });
  }, (error) => gpsState('field.gps.unavailable', { detail: error.message || error.code }),
  { enableHighAccuracy: true, maximumAge: 5000, timeout: 30_000 });
  batchTimer = setInterval(() => {
    if (!fixes.length) return;
    const batch = fixes.splice(0, fixes.length);
    ctx.outbox.add({ kind: 'positions', ambulance_id: ctx.me.ambulance_id, label: `GPS ×${batch.length}`, at: batch[0].recorded_at, key: `gps-${batch[0].recorded_at}`, body: batch });
  }, GPS_BATCH_MS);
}

function stopGps() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  clearInterval(batchTimer);
  watchId = null;
}

// --- start ------------------------------------------------------------------------------------

async function start(me) {
  ctx.me = me;
  hooks.render = render;
  hooks.selectCase = selectCase;
  ctx.config = await config();
  ctx.pathways = new Map(ctx.config.pathways.map((p) => [p.id, p]));
  try {
    const all = await api('/facilities');
    for (const f of all.features) {
      const [lon, lat] = f.geometry ? f.geometry.coordinates : [null, null];
      ctx.facilities.set(f.properties.id, { props: f.properties, lon, lat });
    }
    remember('facilities', [...ctx.facilities.entries()]);
  } catch {
    for (const [id, value] of recall('facilities', [])) ctx.facilities.set(id, value);
  }
  ctx.outbox = await openOutbox(me.username, { senders, onChange: onQueueChange, onSent, onFailed });
  ctx.pending = await ctx.outbox.items();
  beforeSignOut(async () => {
    const waiting = (await ctx.outbox.items()).length;
    return waiting === 0 || confirm(t('field.signout.pending', { n: waiting }));
  });
  setUpNewCase();
  setUpOneKey();
  // the alarm (a dispatch, a reading): a kiosk tablet plays at once; a browser that waits for a
  // gesture shows a yellow "tap to turn on the sound" until one (checked every second)
  startSound();
  const soundButton = byId('sound-enable', HTMLButtonElement);
  soundButton.addEventListener('click', unlock);
  const showSound = () => { soundButton.hidden = !needsGesture(); };
  showSound();
  setInterval(showSound, 1000);
  onStemiAlert(sendAlertWithEcgs);
  byId('switch-case').addEventListener('click', showPicker);
  setInterval(() => {
    if (byId('picker').hidden || document.hidden) return;
    loadCases().catch((error) => stale('cases', error));
  }, CASES_MS);
  byId('case-refresh').addEventListener('click', () => {
    refreshCase().catch((e) => {
      stale('case', e);
      toast(e.message, 'error');
    });
    loadDecision();
  });
  byId('decision-refresh').addEventListener('click', loadDecision);
  byId('stamp-earlier').addEventListener('click', openEarlier);
  byId('queue-retry').addEventListener('click', () => ctx.outbox.flush(true)); // even before a Retry-After
  const ecgFile = byId('ecg-file', HTMLInputElement);
  ecgFile.addEventListener('change', async () => {
    for (const file of ecgFile.files || []) await addEcg(file);
    ecgFile.value = '';
  });
  byId('map-box').addEventListener('toggle', showMap);
  window.addEventListener('online', updateLive);
  window.addEventListener('offline', updateLive);
  onLangChange(() => {
    if (ctx.caseId && ctx.caseData) {
      buildFindings();
      relabelDestinations();
      renderDecision();
    }
    if (gpsText) gpsState(...gpsText);
    render();
  });
  if (['township', 'cathlab'].includes(me.role) && me.facility_id) {
    followStream().catch((error) => {
      console.warn('infofirst: the facility stream could not start', error);
      ctx.online = false;
      updateLive();
    });
  } else {
    setInterval(poll, POLL_MS); // the answers to a crew's alerts
  }
  if (me.role === 'crew' && me.ambulance_id) {
    followCrewStream().catch((error) => {
      console.warn('infofirst: the crew stream could not start', error);
      ctx.online = false;
      updateLive();
    });
  }
  const current = recall('current');
  try {
    const cases = await loadCases();
    ctx.online = true;
    if (current && cases.some((c) => c.id === current)) await selectCase(current);
  } catch (error) {
    stale('cases', error);
    ctx.online = false;
    renderCases();
    if (current && recall(`case.${current}`)) await selectCase(current);
  }
  render();
  ctx.outbox.flush();
}

let mapShown = null;

async function showMap(event) {
  if (!event.target.open || mapShown) return;
  const { createMap } = await import('./map.js');
  mapShown = await createMap(document.getElementById('map'));
  ctx.map = mapShown;
  if (ctx.caseData) mapShown.mark('case', ctx.caseData.lon, ctx.caseData.lat, `#${ctx.caseData.id}`);
  mapShown.map.invalidateSize();
  drawRoute();
}

startPage({
  title: 'field.title',
  texts: FIELD_TEXTS,
  roles: ['township', 'crew', 'admin'],
  demoLogins: ['township-th-nandun', 'crew-amb-01'],
  onSignedIn: start,
});
