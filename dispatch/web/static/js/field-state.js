// The field app's shared state, and the few helpers every part of it uses.

import { pick } from './i18n.js';

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
};

/** Re-render hooks, set by field.js (kept here so the parts do not import each other in a loop). */
export const hooks = { render: () => {}, selectCase: async () => {} };

export function facilityName(id) {
  const found = ctx.facilities.get(id);
  return found ? pick(found.props.name_zh || found.props.name, found.props.name_en) : id || '';
}

export function pathwayName(id) {
  const found = ctx.pathways.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

function storageKey(what) {
  return `infofirst.field.${what}.${ctx.me?.username || ''}`;
}

/** A small per-user value in localStorage (JSON). */
export function remember(what, value) {
  try {
    if (value === undefined || value === null) localStorage.removeItem(storageKey(what));
    else localStorage.setItem(storageKey(what), JSON.stringify(value));
  } catch {
    // storage full or disabled: the app still works, without memory across reloads
  }
}

export function recall(what, fallback = null) {
  try {
    const text = localStorage.getItem(storageKey(what));
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** The queued items of the current case. */
export function pendingOfCase(kind = null) {
  return ctx.pending.filter((item) => item.case_id === ctx.caseId && (!kind || item.kind === kind));
}
