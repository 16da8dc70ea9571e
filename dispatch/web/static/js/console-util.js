// Small helpers of the dispatcher console: running timers, polling, names of things.

import { el } from './core.js';
import { pick, t } from './i18n.js';

/** Elapsed time as M:SS, H:MM:SS from an hour on, "Nd H:MM:SS" from a day on. */
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
 */
export function timer(iso, { lateMinutes = null } = {}) {
  const span = el('span', { class: 'timer', dataset: { since: iso } });
  if (lateMinutes !== null) span.dataset.lateMinutes = String(lateMinutes);
  updateTimer(span, Date.now());
  return span;
}

function updateTimer(span, now) {
  const ms = now - Date.parse(span.dataset.since);
  span.textContent = elapsed(ms);
  if (span.dataset.lateMinutes) span.classList.toggle('late', ms > Number(span.dataset.lateMinutes) * 60_000);
}

/** Update every running timer (the console calls this once a second). */
export function tickTimers(root = document) {
  const now = Date.now();
  for (const span of root.querySelectorAll('.timer[data-since]')) updateTimer(span, now);
}

/**
 * Run `task()` now and then every `ms` after each run finishes (never two at once).
 * Returns `{now()}` to run it again at once (e.g. after a dispatch).
 */
export function poll(task, ms) {
  let timerId = null;
  let running = null;
  let again = false;
  function run() {
    if (running) {
      again = true; // asked during a run: run once more right after it
      return running;
    }
    clearTimeout(timerId);
    running = Promise.resolve().then(task).catch(() => {}).finally(() => {
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

/** The shared state of the console's parts. */
export const state = {
  facilities: new Map(), // id → properties (from /facilities)
  facilityPoints: new Map(), // id → [lon, lat]
  ambulances: new Map(), // id → properties (from /ambulances)
  alertsByCase: new Map(), // case id → [alert view]
  pathways: [], // from the server's /web/config: [{id, name_zh, name_en, …}]
  user: null,
};

/** A pathway's name (the console's own wording, else the server's name; `short` for tables). */
export function pathwayName(id, { short = false } = {}) {
  const key = short ? `console.pathway.short.${id}` : `console.pathway.${id}`;
  const text = t(key);
  if (text !== key) return text;
  const found = state.pathways.find((pathway) => pathway.id === id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

/** A facility's name in the current language (its id when unknown). */
export function facilityName(id) {
  const found = state.facilities.get(id);
  return found ? pick(found.name_zh || found.name, found.name_en) : id || '—';
}

/** An ambulance's call sign (its id when unknown). */
export function callsign(id) {
  return state.ambulances.get(id)?.callsign || id || '—';
}

/** The earliest current (not superseded) stamp of a milestone in a case's timeline. */
export function firstStamp(timeline, milestone) {
  const found = timeline
    .filter((stamp) => stamp.milestone === milestone && !stamp.superseded_by)
    .map((stamp) => stamp.at)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return found[0] || null;
}
