// The milestone vocabulary (docs/domain.md, "Milestones") in Chinese and English: t(`milestone.${id}`).

import { register, t } from './i18n.js';

const LABELS = {
  symptom_onset: ['发病', 'Symptom onset'],
  call_received: ['接到呼救', 'Call received'],
  unit_notified: ['派车', 'Unit notified'],
  unit_en_route: ['出车', 'Unit en route'],
  unit_on_scene: ['到达现场', 'On scene'],
  first_medical_contact: ['首次医疗接触', 'First medical contact'],
  first_ecg: ['首份心电图', 'First ECG'],
  ecg_transmitted: ['心电图已传输', 'ECG transmitted'],
  diagnosis: ['确诊', 'Diagnosis'],
  critical_value_reported: ['危急值报告', 'Critical value reported'],
  prealert_sent: ['预警已发送', 'Pre-alert sent'],
  thrombolysis_start: ['开始溶栓', 'Thrombolysis started'],
  unit_left_scene: ['离开现场', 'Left the scene'],
  facility_arrival: ['到达本院（入门）', 'Arrived (door-in)'],
  facility_departure: ['离开本院（出门）', 'Departed (door-out)'],
  cathlab_activated: ['导管室激活', 'Cath lab activated'],
  cathlab_ready: ['导管室就绪', 'Cath lab ready'],
  ed_arrival: ['到达急诊', 'ED arrival'],
  ccu_arrival: ['到达CCU', 'CCU arrival'],
  troponin_drawn: ['肌钙蛋白抽血', 'Troponin drawn'],
  troponin_result: ['肌钙蛋白出结果', 'Troponin result'],
  cathlab_arrival: ['到达导管室', 'Cath lab arrival'],
  ct_start: ['开始CT', 'CT started'],
  ct_read: ['CT判读', 'CT read'],
  arterial_puncture: ['动脉穿刺', 'Arterial puncture'],
  wire_crossing: ['导丝通过', 'Wire crossing'],
  recanalization: ['再通', 'Recanalization'],
  handover: ['交接', 'Handover'],
  unit_available: ['车辆可用', 'Unit available'],
};

/** @type {Record<string, string>} */
const zh = {};
/** @type {Record<string, string>} */
const en = {};
for (const [id, [chinese, english]] of Object.entries(LABELS)) {
  zh[`milestone.${id}`] = chinese;
  en[`milestone.${id}`] = english;
}
register({ zh, en });

export const MILESTONES = Object.keys(LABELS);

/**
 * The milestone's name in the current language.
 * @param {string} id
 */
export function milestoneLabel(id) {
  return t(`milestone.${id}`);
}

/** The milestones a field device stamps, by role, in the order they happen. */
export const FIELD_MILESTONES = {
  township: ['first_medical_contact', 'facility_arrival', 'first_ecg', 'ecg_transmitted', 'diagnosis',
    'critical_value_reported', 'thrombolysis_start', 'ct_start', 'facility_departure'],
  crew: ['unit_en_route', 'unit_on_scene', 'first_medical_contact', 'first_ecg', 'ecg_transmitted',
    'diagnosis', 'critical_value_reported', 'unit_left_scene', 'facility_arrival', 'handover', 'unit_available'],
};

/**
 * The crew's buttons that move their ambulance's status (POST /ambulances/{id}/status) rather
 * than stamp directly: the server's status machine stamps the milestone on the case (leaving
 * `at_destination` stamps `handover`; `available` releases the ambulance from the case).
 * @type {Record<string, string>}
 */
export const CREW_STATUS = {
  unit_en_route: 'en_route',
  unit_on_scene: 'on_scene',
  unit_left_scene: 'transporting',
  facility_arrival: 'at_destination',
  handover: 'returning',
  unit_available: 'available',
};

/** Milestones that are stamped with the signed-in unit's own facility. */
export const OWN_FACILITY = new Set(['facility_arrival', 'facility_departure']);

/**
 * The pathway file's own milestones (`/web/config`'s `milestone_defs`) that `who` ('township',
 * 'crew' or 'hospital') has a button for, among the pathway's milestones.
 * @param {{name: string, stamped_by: string[]}[]} defs
 * @param {string} who
 * @param {Set<string>} allowed the pathway's milestones
 * @returns {string[]}
 */
export function ownMilestones(defs, who, allowed) {
  return defs.filter((d) => d.stamped_by.includes(who) && allowed.has(d.name)).map((d) => d.name);
}

/** Where the pathway's own milestones go among the core buttons: before the patient leaves. */
const LEAVING = ['unit_left_scene', 'facility_departure', 'facility_arrival', 'handover', 'unit_available'];

/**
 * The core buttons with the pathway's own milestones put before the first leaving one.
 * @param {string[]} core
 * @param {string[]} own
 * @returns {string[]}
 */
export function withOwnMilestones(core, own) {
  const at = core.findIndex((m) => LEAVING.includes(m));
  return at < 0 ? [...core, ...own] : [...core.slice(0, at), ...own, ...core.slice(at)];
}
