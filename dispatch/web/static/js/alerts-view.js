// How an alert looks, shared by the wall screen, the field app and the console: pathway and
// status labels, the ETA countdown, the sender, the ECG attachments (fetched with the token).

import { api, config, el, fmtTime } from './core.js';
import { pick, register, t } from './i18n.js';

register({
  zh: {
    'pathway.stemi': 'STEMI 胸痛', 'pathway.chest_pain': '胸痛', 'pathway.stroke': '卒中',
    'status.sent': '已发送', 'status.delivered': '已送达', 'status.acknowledged': '已确认收到',
    'status.activated': '已启动', 'status.activated.stemi': '导管室已启动', 'status.activated.stroke': '卒中团队已启动',
    'status.declined': '已拒绝', 'status.cancelled': '已取消', 'status.arrived': '患者已到达',
    'alert.drill': '演练', 'alert.eta': '预计到达', 'alert.eta.in': '{time}', 'alert.eta.past': '已超时（应 {time} 到达）',
    'alert.eta.none': '未知', 'alert.from': '发送方：', 'alert.sent_at': '发送时间', 'alert.ecg': '心电图',
    'alert.ecg.pdf': '打开心电图 PDF', 'alert.ecg.loading': '心电图加载中…', 'alert.ecg.failed': '心电图无法加载',
    'alert.case': '病例 #{id}', 'alert.ambulance': '救护车 {callsign}', 'alert.phone': '电话 {phone}', 'alert.answered': '{by} {time}', 'alert.escalated': '已升级提醒 {n} 次',
    'vital.hr': '心率', 'vital.bp': '血压', 'vital.spo2': '血氧', 'vital.rr': '呼吸', 'vital.killip': 'Killip',
    'vital.race': 'RACE', 'vital.gcs': 'GCS', 'vital.glucose': '血糖', 'vital.age': '年龄', 'vital.sex': '性别',
  },
  en: {
    'pathway.stemi': 'STEMI', 'pathway.chest_pain': 'Chest pain', 'pathway.stroke': 'Stroke',
    'status.sent': 'Sent', 'status.delivered': 'Delivered', 'status.acknowledged': 'Acknowledged',
    'status.activated': 'Activated', 'status.activated.stemi': 'Cath lab activated', 'status.activated.stroke': 'Stroke team activated',
    'status.declined': 'Declined', 'status.cancelled': 'Cancelled', 'status.arrived': 'Patient arrived',
    'alert.drill': 'DRILL', 'alert.eta': 'ETA', 'alert.eta.in': '{time}', 'alert.eta.past': 'overdue (due {time})',
    'alert.eta.none': 'unknown', 'alert.from': 'From: ', 'alert.sent_at': 'Sent', 'alert.ecg': 'ECG',
    'alert.ecg.pdf': 'Open the ECG (PDF)', 'alert.ecg.loading': 'Loading the ECG…', 'alert.ecg.failed': 'The ECG could not be loaded',
    'alert.case': 'Case #{id}', 'alert.ambulance': 'Ambulance {callsign}', 'alert.phone': 'Tel. {phone}', 'alert.answered': '{by} {time}', 'alert.escalated': 'escalated {n}×',
    'vital.hr': 'HR', 'vital.bp': 'BP', 'vital.spo2': 'SpO₂', 'vital.rr': 'RR', 'vital.killip': 'Killip',
    'vital.race': 'RACE', 'vital.gcs': 'GCS', 'vital.glucose': 'Glucose', 'vital.age': 'Age', 'vital.sex': 'Sex',
  },
});

/**
 * An alert as the API shows it (alerts/service.py view()).
 * @typedef {object} AlertView
 * @property {number} id
 * @property {number} case_id
 * @property {string} to_facility_id
 * @property {string | null} from_facility_id
 * @property {string | null} from_ambulance_id
 * @property {string} sent_by
 * @property {string} pathway
 * @property {string} summary
 * @property {Record<string, unknown>} vitals
 * @property {string[]} attachment_ids
 * @property {number | null} eta_minutes
 * @property {string | null} eta_at
 * @property {string} status
 * @property {boolean} drill
 * @property {string} created_at
 * @property {string | null} delivered_at
 * @property {string | null} answered_at
 * @property {string | null} answered_by
 * @property {string | null} answer_note
 * @property {string | null} closed_at
 * @property {number} escalation_level
 */

/** @type {Map<string, {name_zh: string, name_en: string}>} the server's pathways (new ones are data) */
const serverPathways = new Map();
config().then((found) => {
  for (const pathway of found.pathways) serverPathways.set(pathway.id, pathway);
}).catch(() => {}); // the pages say when the server cannot be reached

/**
 * The pathway's name (the screens' own wording, else the server's; an unknown one by its id).
 * @param {string} pathway
 */
export function pathwayLabel(pathway) {
  const key = `pathway.${pathway}`;
  const text = t(key);
  if (text !== key) return text;
  const found = serverPathways.get(pathway);
  return found ? pick(found.name_zh, found.name_en) : pathway.toUpperCase();
}

/**
 * The pathway badge.
 * @param {string} pathway
 */
export function pathwayBadge(pathway) {
  return el('span', { class: `pathway pathway-${pathway}` }, pathwayLabel(pathway));
}

/**
 * The status in words ('activated' says what was activated, by pathway).
 * @param {{status: string, pathway: string}} alert
 */
export function statusLabel(alert) {
  if (alert.status === 'activated') {
    const team = alert.pathway === 'stroke' ? 'stroke' : 'stemi';
    return t(`status.activated.${team}`);
  }
  return t(`status.${alert.status}`);
}

/**
 * Minutes and seconds as m:ss (or h:mm:ss).
 * @param {number} totalSeconds
 */
export function clock(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * The ETA as a countdown: `{text, overdue}`. Once past, it says "overdue (due HH:MM)" and stops
 * counting (a patient who never came is not counted up forever).
 * @param {{eta_at: string | null}} alert
 * @param {number} [now]
 */
export function etaCountdown(alert, now = Date.now()) {
  if (!alert.eta_at) return { text: t('alert.eta.none'), overdue: false };
  const seconds = (new Date(alert.eta_at).getTime() - now) / 1000;
  if (seconds >= 0) return { text: t('alert.eta.in', { time: clock(seconds) }), overdue: false };
  return { text: t('alert.eta.past', { time: fmtTime(alert.eta_at, { seconds: false }) }), overdue: true };
}

/**
 * Who sent it: the sending facility's name, or the ambulance's call sign (from Maps id →
 * properties, the API's JSON); the ids only while those are not loaded.
 * @param {AlertView} alert
 * @param {Map<string, any>} [facilities] id → the facility's properties
 * @param {Map<string, any>} [ambulances] id → the ambulance's properties
 */
export function senderLabel(alert, facilities = new Map(), ambulances = new Map()) {
  const facility = alert.from_facility_id ? facilities.get(alert.from_facility_id) : null;
  if (facility) return pick(facility.name_zh || facility.name, facility.name_en);
  const ambulance = alert.from_ambulance_id ? ambulances.get(alert.from_ambulance_id) : null;
  if (ambulance) return t('alert.ambulance', { callsign: ambulance.callsign || ambulance.id });
  return alert.from_facility_id || alert.from_ambulance_id || alert.sent_by;
}

/**
 * The phone to call the sender back: the sending facility's, or the ambulance's station's.
 * @param {AlertView} alert
 * @param {Map<string, any>} [facilities]
 * @param {Map<string, any>} [ambulances]
 * @returns {string} '' when none is known
 */
export function senderPhone(alert, facilities = new Map(), ambulances = new Map()) {
  const ambulance = alert.from_ambulance_id ? ambulances.get(alert.from_ambulance_id) : null;
  const facilityId = alert.from_facility_id || ambulance?.station_id;
  return (facilityId && facilities.get(facilityId)?.phone) || '';
}

/**
 * The vitals as label/value chips.
 * @param {Record<string, unknown>} [vitals]
 */
export function vitalChips(vitals = {}) {
  return Object.entries(vitals).map(([key, value]) => {
    const label = t(`vital.${key}`);
    return el('span', { class: 'vital' }, el('b', {}, label === `vital.${key}` ? key : label), ' ', String(value));
  });
}

/** @typedef {{url: string, type: string}} LoadedAttachment an object URL and its MIME type */

/** @type {Map<string, Promise<LoadedAttachment>>} */
const blobs = new Map();

/**
 * An attachment as an object URL and its type (fetched once with the token).
 * @param {string} id
 * @returns {Promise<LoadedAttachment>}
 */
export function attachmentBlob(id) {
  let loading = blobs.get(id);
  if (!loading) {
    loading = api(`/attachments/${encodeURIComponent(id)}`, { raw: true })
      .then((/** @type {Response} */ response) => response.blob())
      .then((blob) => ({ url: URL.createObjectURL(blob), type: blob.type }));
    loading.catch(() => blobs.delete(id)); // not kept: asked again next time (callers see the failure)
    blobs.set(id, loading);
  }
  return loading;
}

/**
 * The ECG attachments of an alert: images shown, PDFs as a link.
 * @param {{attachment_ids?: string[]}} alert
 */
export function ecgView(alert) {
  const box = el('div', { class: 'ecg' });
  for (const id of alert.attachment_ids || []) {
    const slot = el('div', { class: 'ecg-item', 'data-i18n': 'alert.ecg.loading' }, t('alert.ecg.loading'));
    box.append(slot);
    attachmentBlob(id).then(({ url, type }) => {
      slot.removeAttribute('data-i18n');
      slot.textContent = '';
      if (type.startsWith('image/')) {
        slot.append(el('img', { src: url, alt: t('alert.ecg'), class: 'ecg-image', dataset: { attachmentId: id } }));
      } else {
        slot.append(el('a', { href: url, target: '_blank', rel: 'noopener', class: 'ecg-pdf' }, t('alert.ecg.pdf')));
      }
    }).catch(() => {
      slot.dataset.i18n = 'alert.ecg.failed';
      slot.textContent = t('alert.ecg.failed');
    });
  }
  return box;
}

/**
 * Sent time and answer, as a line.
 * @param {AlertView} alert
 */
export function timesLine(alert) {
  const parts = [`${t('alert.sent_at')} ${fmtTime(alert.created_at)}`];
  if (alert.answered_at) parts.push(t('alert.answered', { by: alert.answered_by || '', time: fmtTime(alert.answered_at) }));
  return parts.join(' · ');
}
