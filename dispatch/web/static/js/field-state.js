// The field app's shared state, and the few helpers every part of it uses.

import { pick } from './i18n.js';

/**
 * A facility the field app knows: its properties (from /facilities) and where it is.
 * @typedef {{props: any, lon: number | null, lat: number | null}} FieldFacility
 */

/**
 * The field app's state. The API's objects (the case, its alerts, the decision, the config)
 * are typed `any`: their JSON is checked by the server's tests, not here.
 * @typedef {object} FieldContext
 * @property {import('./core.js').User | null} me the signed-in user (set on sign-in)
 * @property {any} config /web/config
 * @property {Map<string, any>} pathways id → {id, name_zh, name_en, milestones, receivers_need}
 * @property {Map<string, FieldFacility>} facilities
 * @property {import('./queue.js').Outbox | null} outbox
 * @property {any[]} pending the outbox's items (all cases), oldest first
 * @property {number | null} caseId
 * @property {any} caseData GET /cases/{id} (cached for offline use)
 * @property {Map<number, any>} alerts the current case's alerts by id
 * @property {any} decision
 * @property {{lon: number, lat: number, recorded_at: string} | null} lastFix the device's last GPS fix
 * @property {boolean} online the last request or stream said the server answers
 * @property {any} mission the crew's mission in progress (a `mission.assigned` frame's), or null
 * @property {any} missionRoute GET /travel-time to the mission's patient, or null
 * @property {import('./map.js').NetworkMap | null} map the field map, once opened
 */

/** @type {FieldContext} */
export const ctx = {
  me: null, // the signed-in user
  config: null, // /web/config
  pathways: new Map(), // id → {id, name_zh, name_en, milestones, receivers_need}
  facilities: new Map(), // id → {props, lon, lat}
  outbox: null, // queue.js
  pending: [], // the outbox's items (all cases), oldest first
  caseId: null,
  caseData: null, // GET /cases/{id} (cached for offline use)
  alerts: new Map(), // the current case's alerts by id
  decision: null,
  lastFix: null, // the device's last GPS fix {lon, lat, recorded_at}
  online: true, // the last request or stream said the server answers
  mission: null, // the crew's mission in progress
  missionRoute: null, // the road route to the mission's patient
  map: null, // the field map, once opened
};

/** Re-render hooks, set by field.js (kept here so the parts do not import each other in a loop). */
/**
 * @type {{render: () => void, selectCase: (caseId: number, known?: any) => Promise<void>}}
 */
export const hooks = { render: () => {}, selectCase: async () => {} };

/**
 * @param {string | null | undefined} id
 * @returns {string}
 */
export function facilityName(id) {
  const found = id ? ctx.facilities.get(id) : undefined;
  return found ? pick(found.props.name_zh || found.props.name, found.props.name_en) : id || '';
}

/**
 * @param {string} id
 * @returns {string}
 */
export function pathwayName(id) {
  const found = ctx.pathways.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

/** @param {string} what */
function storageKey(what) {
  return `infofirst.field.${what}.${ctx.me?.username || ''}`;
}

/**
 * A small per-user value in localStorage (JSON).
 * @param {string} what
 * @param {unknown} value
 */
export function remember(what, value) {
  try {
    if (value === undefined || value === null) localStorage.removeItem(storageKey(what));
    else localStorage.setItem(storageKey(what), JSON.stringify(value));
  } catch {
    // storage full or disabled: the app still works, without memory across reloads
  }
}

/**
 * What `remember(what, …)` kept (the JSON as it was: `any`), else `fallback`.
 * @param {string} what
 * @param {any} [fallback]
 * @returns {any}
 */
export function recall(what, fallback = null) {
  try {
    const text = localStorage.getItem(storageKey(what));
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

/**
 * The queued items of the current case.
 * @param {string | null} [kind]
 * @returns {any[]}
 */
export function pendingOfCase(kind = null) {
  return ctx.pending.filter((item) => item.case_id === ctx.caseId && (!kind || item.kind === kind));
}
