// What the receiving hospital's milestone pad shows: its own in-hospital milestones, in the
// order they happen, those the case's pathway has (the pathway data is the truth), and each
// one's current stamp here. Pure: no DOM, no API.

/** The hospital's own milestones, in the order they happen (kept if the pathway has them). */
export const PAD_ORDER = [
  'facility_arrival', 'ed_arrival', 'ccu_arrival', 'cathlab_activated', 'cathlab_ready',
  'cathlab_arrival', 'ct_start', 'ct_read', 'thrombolysis_start', 'arterial_puncture',
  'wire_crossing', 'recanalization', 'troponin_drawn', 'troponin_result',
];

/**
 * The pad's milestones for a pathway's milestone list, then the pathway file's own milestones
 * the hospital records (`stamped_by` "hospital"; `/web/config`'s `milestone_defs`).
 * @param {string[]} pathwayMilestones
 * @param {{name: string, stamped_by: string[]}[]} [defs]
 * @returns {string[]}
 */
export function padMilestones(pathwayMilestones, defs = []) {
  const allowed = new Set(pathwayMilestones);
  const own = defs.filter((d) => d.stamped_by.includes('hospital') && allowed.has(d.name)).map((d) => d.name);
  return [...PAD_ORDER.filter((milestone) => allowed.has(milestone)), ...own];
}

/**
 * A stamp of the case's timeline (the API's EventOut, the fields used here).
 * @typedef {object} PadStamp
 * @property {number} id
 * @property {string} milestone
 * @property {string} at
 * @property {string | null} facility_id
 * @property {number | null} superseded_by
 * @property {string} [recorded_by]
 */

/**
 * The stamp of each milestone at the facility that stands (not superseded; the latest if
 * there are several).
 * @param {PadStamp[]} timeline
 * @param {string} facilityId
 * @returns {Map<string, PadStamp>}
 */
export function currentStamps(timeline, facilityId) {
  /** @type {Map<string, PadStamp>} */
  const found = new Map();
  for (const stamp of timeline) {
    if (stamp.superseded_by || stamp.facility_id !== facilityId) continue;
    const before = found.get(stamp.milestone);
    if (!before || Date.parse(stamp.at) >= Date.parse(before.at)) found.set(stamp.milestone, stamp);
  }
  return found;
}

/**
 * A `datetime-local` value (browser-local, to the second) for an ISO time, and back.
 * @param {string} iso
 */
export function toLocalInput(iso) {
  const date = new Date(iso);
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 19);
}

/**
 * @param {string} value a `datetime-local` value
 * @returns {string | null} the ISO time, or null if it is not a time
 */
export function fromLocalInput(value) {
  const time = new Date(value).getTime();
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}
