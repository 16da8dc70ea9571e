// The county ECG centre's reading page (/ecg; issue 16, 基层检查、上级诊断): the tracings the
// township units and ambulances sent, oldest first with how long each has waited; the tracing
// (a tap: full screen), what the sender knew of the patient, and one press per finding. The
// reading goes back to the sender at once (the server's `ecg.read` frame) and stamps the
// case's diagnosis. A second reading of the same ECG is a correction: it asks for a reason.
// The queue follows the readers' stream (/ws/ecgs): a new tracing appears without a reload.
// Above the queue: who is on duty on the readers' rota, and an unread ECG's escalation when it
// is addressed to this reader (ecg-duty.js).

import { api, byId, config, currentUser, el, errorDetail, fmtTime, fresh, setLive, stale, startPage, toast } from './core.js';
import { attachmentBlob } from './alerts-view.js';
import { DUTY_TEXTS, dutyFrame, followDuty, renderDuty } from './ecg-duty.js';
import { onLangChange, pick, t } from './i18n.js';
import { openStream } from './stream.js';

const READER = 'ecg_reader';
const LATE_SECONDS = 180; // the unread escalation's default (issue 16: 3 minutes)
const RECENT = 20;

/** @typedef {{id: number, case_id: number, attachment_id: string, status: string, from_facility_id: string | null, from_ambulance_id: string | null, drill: boolean, patient: {pathway: string, complaint: string, age: number | null, sex: string | null}, received_at: string, read_at: string | null, reading: any, readings: any[], waiting_seconds?: number}} Ecg */

/** @type {{queue: Ecg[], recent: Ecg[], selected: number | null, loadedAt: number}} */
const view = { queue: [], recent: [], selected: null, loadedAt: Date.now() };
/** @type {Map<string, {name_zh: string, name_en: string}>} */
const pathways = new Map();
/** @type {Map<string, {name_zh: string, name_en?: string}>} */
const facilities = new Map();

const TEXTS = {
  zh: {
    'ecg.title': '心电诊断中心',
    'ecg.queue': '待判读心电图',
    'ecg.queue.empty': '暂无待判读的心电图',
    'ecg.recent': '最近判读',
    'ecg.item': '#{id} · {from} · {pathway}',
    'ecg.waited': '已等待 {time}',
    'ecg.read.at': '判读于 {time}',
    'ecg.case': '心电图 #{id} · 病例 #{case}',
    'ecg.facts': '{from} · {pathway} · {patient} · 收到 {time}',
    'ecg.sex.male': '男',
    'ecg.sex.female': '女',
    'ecg.age': '{age}岁',
    'ecg.drill': '演练',
    'ecg.finding.stemi': 'STEMI',
    'ecg.finding.no_stemi': '非STEMI',
    'ecg.finding.other_critical': '其他危急',
    'ecg.finding.unreadable': '无法判读（请重传）',
    'ecg.text': '判读意见（可选）',
    'ecg.reason': '更正原因（再次判读必填）',
    'ecg.reason.required': '该心电图已判读：请填写更正原因',
    'ecg.current': '当前判读：{finding}（{by}，{time}）{text}',
    'ecg.done': '已发送判读：{finding}',
    'ecg.failed': '判读未保存：{detail}',
    'ecg.tracing.failed': '心电图无法加载',
  },
  en: {
    'ecg.title': 'ECG centre',
    'ecg.queue': 'ECGs waiting for a reading',
    'ecg.queue.empty': 'No ECG is waiting',
    'ecg.recent': 'Recently read',
    'ecg.item': '#{id} · {from} · {pathway}',
    'ecg.waited': 'waiting {time}',
    'ecg.read.at': 'read at {time}',
    'ecg.case': 'ECG #{id} · case #{case}',
    'ecg.facts': '{from} · {pathway} · {patient} · received {time}',
    'ecg.sex.male': 'male',
    'ecg.sex.female': 'female',
    'ecg.age': '{age} y',
    'ecg.drill': 'drill',
    'ecg.finding.stemi': 'STEMI',
    'ecg.finding.no_stemi': 'No STEMI',
    'ecg.finding.other_critical': 'Other critical',
    'ecg.finding.unreadable': 'Unreadable (send again)',
    'ecg.text': 'Reading (optional)',
    'ecg.reason': 'Reason for the correction (needed to read again)',
    'ecg.reason.required': 'This ECG was read: give the reason for the correction',
    'ecg.current': 'Current reading: {finding} ({by}, {time}) {text}',
    'ecg.done': 'Reading sent: {finding}',
    'ecg.failed': 'Reading not saved: {detail}',
    'ecg.tracing.failed': 'The ECG could not be loaded',
  },
};

/** @param {Ecg} ecg */
function sender(ecg) {
  if (ecg.from_facility_id) {
    const found = facilities.get(ecg.from_facility_id);
    return found ? pick(found.name_zh, found.name_en) : ecg.from_facility_id;
  }
  return ecg.from_ambulance_id || '';
}

/** @param {string} id */
function pathwayName(id) {
  const found = pathways.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

/** @param {Ecg} ecg */
function patient(ecg) {
  const { sex, age, complaint } = ecg.patient;
  const sexText = sex === 'male' || sex === 'female' ? t(`ecg.sex.${sex}`) : '';
  const ageText = age === null ? '' : t('ecg.age', { age });
  return [sexText, ageText, complaint].filter(Boolean).join(' ');
}

/** @param {number} seconds */
function duration(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** @param {Ecg} ecg */
function waited(ecg) {
  return (ecg.waiting_seconds || 0) + (Date.now() - view.loadedAt) / 1000;
}

/**
 * @param {Ecg} ecg
 * @param {boolean} waiting
 */
function item(ecg, waiting) {
  const seconds = waited(ecg);
  return el('li', {}, el('button', {
    type: 'button',
    class: ecg.id === view.selected ? 'selected' : '',
    dataset: { ecgId: ecg.id },
    onclick: () => select(ecg.id),
  }, el('span', {}, t('ecg.item', { id: ecg.id, from: sender(ecg), pathway: pathwayName(ecg.patient.pathway) }),
    ecg.drill ? el('span', { class: 'drill' }, ` · ${t('ecg.drill')}`) : null),
  waiting
    ? el('span', { class: `waited${seconds >= LATE_SECONDS ? ' late' : ''}` }, t('ecg.waited', { time: duration(seconds) }))
    : el('span', { class: 'muted' }, t('ecg.read.at', { time: fmtTime(ecg.read_at || '') }), ' · ', findingName(ecg.reading?.finding))));
}

/** @param {string | undefined} finding */
function findingName(finding) {
  return finding ? t(`ecg.finding.${finding}`) : '';
}

/** The waiting times tick in place (the buttons stay the same elements). */
function tick() {
  for (const ecg of view.queue) {
    const span = document.querySelector(`#queue button[data-ecg-id="${ecg.id}"] .waited`);
    if (!span) continue;
    const seconds = waited(ecg);
    span.textContent = t('ecg.waited', { time: duration(seconds) });
    span.classList.toggle('late', seconds >= LATE_SECONDS);
  }
}

function renderLists() {
  byId('queue').replaceChildren(...view.queue.map((ecg) => item(ecg, true)));
  byId('queue-empty').hidden = view.queue.length > 0;
  byId('recent').replaceChildren(...view.recent.map((ecg) => item(ecg, false)));
}

/** @returns {Ecg | undefined} */
function selectedEcg() {
  return [...view.queue, ...view.recent].find((ecg) => ecg.id === view.selected);
}

function renderReading() {
  const ecg = selectedEcg();
  const panel = byId('reading');
  panel.hidden = !ecg;
  if (!ecg) return;
  panel.dataset.ecgId = String(ecg.id);
  byId('reading-title').textContent = t('ecg.case', { id: ecg.id, case: ecg.case_id });
  byId('reading-facts').textContent = t('ecg.facts', {
    from: sender(ecg), pathway: pathwayName(ecg.patient.pathway), patient: patient(ecg), time: fmtTime(ecg.received_at),
  });
  const current = byId('reading-current');
  current.hidden = !ecg.reading;
  if (ecg.reading) {
    current.textContent = t('ecg.current', {
      finding: findingName(ecg.reading.finding), by: ecg.reading.read_by, time: fmtTime(ecg.reading.read_at), text: ecg.reading.text || '',
    });
  }
  byId('reason-box').hidden = !ecg.reading;
  byId('reading-form').hidden = currentUser()?.role !== READER;
}

async function showTracing() {
  const ecg = selectedEcg();
  const box = byId('tracing');
  box.replaceChildren();
  if (!ecg) return;
  try {
    const { url, type } = await attachmentBlob(ecg.attachment_id);
    if (view.selected !== ecg.id) return;
    box.append(type.startsWith('image/')
      ? el('img', { src: url, alt: t('ecg.case', { id: ecg.id, case: ecg.case_id }), onclick: (/** @type {Event} */ event) => toggleFullScreen(/** @type {HTMLElement} */ (event.currentTarget)) })
      : el('a', { href: url, target: '_blank', rel: 'noopener' }, 'PDF'));
  } catch {
    box.append(el('p', { class: 'reading-error' }, t('ecg.tracing.failed')));
  }
}

/** @param {HTMLElement} image */
function toggleFullScreen(image) {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else image.requestFullscreen().catch(() => {});
}

/** @param {number} id */
function select(id) {
  view.selected = id;
  byId('reading-text', HTMLTextAreaElement).value = '';
  byId('reading-reason', HTMLInputElement).value = '';
  byId('reading-error').hidden = true;
  renderLists();
  renderReading();
  showTracing();
}

/** @param {string} finding */
async function answer(finding) {
  const ecg = selectedEcg();
  if (!ecg) return;
  const error = byId('reading-error');
  const reason = byId('reading-reason', HTMLInputElement).value.trim();
  if (ecg.reading && !reason) {
    error.textContent = t('ecg.reason.required');
    error.hidden = false;
    return;
  }
  const text = byId('reading-text', HTMLTextAreaElement).value.trim();
  try {
    await api(`/ecgs/${ecg.id}/reading`, { method: 'POST', json: { finding, text, reason } });
    error.hidden = true;
    toast(t('ecg.done', { finding: findingName(finding) }), 'ok', 3000);
  } catch (err) {
    error.textContent = t('ecg.failed', { detail: errorDetail(err) });
    error.hidden = false;
  }
  await refresh();
}

/** @returns {Promise<{epoch: number, head: number}>} */
async function refresh() {
  try {
    const response = /** @type {Response} */ (await api('/ecgs?status=awaiting_reading&limit=200', { raw: true }));
    view.queue = await response.json();
    view.recent = (/** @type {Ecg[]} */ (await api(`/ecgs?limit=${RECENT * 2}`))).filter((ecg) => ecg.status !== 'awaiting_reading').slice(0, RECENT);
    view.loadedAt = Date.now();
    fresh('ecgs');
    renderLists();
    renderReading();
    return { epoch: Number(response.headers.get('X-Stream-Epoch') || 0), head: Number(response.headers.get('X-Stream-Head') || 0) };
  } catch (err) {
    stale('ecgs', err);
    return { epoch: 0, head: 0 };
  }
}

/** @type {ReturnType<typeof setTimeout> | null} */
let pending = null;
function refreshSoon() {
  if (pending !== null) return;
  pending = setTimeout(() => { pending = null; refresh(); }, 100);
}

startPage({
  title: 'ecg.title',
  texts: { zh: { ...TEXTS.zh, ...DUTY_TEXTS.zh }, en: { ...TEXTS.en, ...DUTY_TEXTS.en } },
  roles: [READER, 'admin', 'auditor', 'data_manager', 'dispatcher'],
  demoLogins: ['ecg-reader'],
  onSignedIn: async () => {
    const found = await config();
    for (const pathway of found.pathways) pathways.set(pathway.id, pathway);
    try {
      const collection = await api('/facilities');
      for (const feature of collection.features) facilities.set(feature.properties.id, feature.properties);
    } catch {
      // ids stand in for the names
    }
    for (const button of document.querySelectorAll('#reading-form .finding')) {
      button.addEventListener('click', () => answer(/** @type {HTMLElement} */ (button).dataset.finding || ''));
    }
    onLangChange(() => { renderLists(); renderReading(); renderDuty(); });
    const { epoch, head } = await refresh();
    await followDuty();
    /** @param {any} frame */
    const onFrame = (frame) => { dutyFrame(frame); refreshSoon(); };
    openStream('/ws/ecgs', { since: head, epoch, onFrame, onState: setLive, onReset: refreshSoon, confirm: false });
    setInterval(tick, 1000);
  },
});
