// Small helpers of the dispatcher console: running timers, polling, names of things.

import { el, fresh, stale } from './core.js';
import { pick, t } from './i18n.js';

/**
 * Elapsed time as M:SS, H:MM:SS from an hour on, "Nd H:MM:SS" from a day on.
 * @param {number} ms
 * @returns {string}
 */
export function elapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  if (days) return `${days}d ${elapsed(ms - days * 86_400_000)}`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * A running timer since `iso`: `<span class="timer" data-since="…">`. Every such span on the
 * page is updated by `tickTimers()`; `lateMinutes` adds the class `late` past that many minutes.
 * @param {string} iso
 * @param {{lateMinutes?: number | null}} [options]
 */
export function timer(iso, { lateMinutes = null } = {}) {
  const span = el('span', { class: 'timer', dataset: { since: iso } });
  if (lateMinutes !== null) span.dataset.lateMinutes = String(lateMinutes);
  updateTimer(span, Date.now());
  return span;
}

/**
 * @param {HTMLElement} span
 * @param {number} now
 */
function updateTimer(span, now) {
  const ms = now - Date.parse(span.dataset.since || '');
  span.textContent = elapsed(ms);
  if (span.dataset.lateMinutes) span.classList.toggle('late', ms > Number(span.dataset.lateMinutes) * 60_000);
}

/**
 * Update every running timer (the console calls this once a second).
 * @param {ParentNode} [root]
 */
export function tickTimers(root = document) {
  const now = Date.now();
  for (const span of root.querySelectorAll('.timer[data-since]')) {
    if (span instanceof HTMLElement) updateTimer(span, now);
  }
}

/**
 * Run `task()` now and then every `ms` after each run finishes (never two at once).
 * Returns `{now()}` to run it again at once (e.g. after a dispatch). `what` names the data
 * refreshed ('cases', 'ambulances', …): a failed run marks the page stale (core.js stale(),
 * logged), the next successful one clears it.
 * @param {() => unknown} task
 * @param {number} ms
 * @param {string} what
 * @returns {{now: () => Promise<void>}}
 */
export function poll(task, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timerId;
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  function run() {
    if (running) {
      again = true; // asked during a run: run once more right after it
      return running;
    }
    clearTimeout(timerId);
    running = Promise.resolve().then(task).then(() => fresh(what), (error) => stale(what, error)).finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      } else {
        timerId = setTimeout(run, ms);
      }
    });
    return running;
  }
  run();
  return { now: run };
}

/**
 * The shared state of the console's parts (the API's objects, typed by the server's tests).
 * @type {{facilities: Map<string, any>, facilityPoints: Map<string, [number, number]>,
 *   ambulances: Map<string, any>, alertsByCase: Map<number, any[]>, pathways: any[],
 *   cases: any[], user: import('./core.js').User | null}}
 */
export const state = {
  facilities: new Map(), // id → properties (from /facilities)
  facilityPoints: new Map(), // id → [lon, lat]
  ambulances: new Map(), // id → properties (from /ambulances)
  alertsByCase: new Map(), // case id → [alert view]
  pathways: [], // from the server's /web/config: [{id, name_zh, name_en, …}]
  cases: [], // the active cases as listed (GET /cases), newest first
  user: null,
};

/**
 * A pathway's name (the console's own wording, else the server's name; `short` for tables).
 * @param {string} id
 * @param {{short?: boolean}} [options]
 * @returns {string}
 */
export function pathwayName(id, { short = false } = {}) {
  const key = short ? `console.pathway.short.${id}` : `console.pathway.${id}`;
  const text = t(key);
  if (text !== key) return text;
  const found = state.pathways.find((pathway) => pathway.id === id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

/**
 * A facility's name in the current language (its id when unknown).
 * @param {string | null | undefined} id
 * @returns {string}
 */
export function facilityName(id) {
  const found = id ? state.facilities.get(id) : null;
  return found ? pick(found.name_zh || found.name, found.name_en) : id || '—';
}

/**
 * An ambulance's call sign (its id when unknown).
 * @param {string | null | undefined} id
 * @returns {string}
 */
export function callsign(id) {
  return (id && state.ambulances.get(id)?.callsign) || id || '—';
}

/**
 * @typedef {object} Stamp a stamp of a case's timeline
 * @property {string} milestone
 * @property {string} at
 * @property {number | null} [superseded_by]
 */

/**
 * The earliest current (not superseded) stamp of a milestone in a case's timeline.
 * @param {Stamp[]} timeline
 * @param {string} milestone
 * @returns {string | null}
 */
export function firstStamp(timeline, milestone) {
  const found = timeline
    .filter((stamp) => stamp.milestone === milestone && !stamp.superseded_by)
    .map((stamp) => stamp.at)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return found[0] || null;
}

const EARTH_RADIUS_M = 6_371_008.8;

/**
 * Great-circle distance in metres between two WGS84 points (haversine).
 * @param {[number, number]} a [lon, lat]
 * @param {[number, number]} b [lon, lat]
 * @returns {number}
 */
export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Active cases called in within `minutes` before `now` and within `meters` of `point`, nearest
 * first: a second call for the same place is probably the same patient.
 * @param {{id: number, lon: number, lat: number, call_received_at?: string | null, created_at: string}[]} cases
 * @param {[number, number]} point [lon, lat], WGS84
 * @param {number} now epoch milliseconds
 * @param {{meters?: number, minutes?: number}} [limits]
 * @returns {{id: number, meters: number, calledAt: string}[]}
 */
export function nearbyCases(cases, point, now, { meters = 500, minutes = 30 } = {}) {
  return cases
    .map((found) => ({ id: found.id, meters: metresBetween(point, [found.lon, found.lat]), calledAt: found.call_received_at || found.created_at }))
    .filter((near) => near.meters <= meters && now - Date.parse(near.calledAt) <= minutes * 60_000)
    .sort((a, b) => a.meters - b.meters);
}
