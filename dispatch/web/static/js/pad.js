// The receiving hospital's milestone pad (/cathlab/{facility_id}/pad): a tablet in the cath lab
// records the hospital's own times for the patients coming to it. One big button per
// milestone the case's pathway has (pad-milestones.js); a press records the time of the press
// after a confirmation; a stamped milestone is corrected (a new time and a reason; the old
// stamp stays, superseded). The server's write scope decides who may stamp here (the
// hospital's own team, data managers, admins); the intervals come back with the case. Each
// missed target shows its delay reason, given here with a coded reason and a note (issue 14,
// delay-reasons.js) by whoever may write on the case.

import { api, byId, config, currentUser, el, errorDetail, fmtTime, fresh, newKey, setLive, stale, startPage, toast } from './core.js';
import { onLangChange, pick, t } from './i18n.js';
import { milestoneLabel } from './milestones.js';
import { delayReasonView, mayWriteReadCase, redrawKeepingFocus } from './delay-reasons.js';
import { currentStamps, fromLocalInput, padMilestones, toLocalInput } from './pad-milestones.js';

const facilityId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const REFRESH_MS = 10_000;
/** @type {Map<string, {milestones: string[], name_zh: string, name_en: string}>} id → pathway */
const pathways = new Map();
/** @type {any} */
let facility = null;
/** @type {any} the page configuration (the coded delay reasons, the text limits) */
let settings = null;
/** @type {{name: string, stamped_by: string[]}[]} the pathway file's own milestones */
let milestoneDefs = [];
/** @type {any[]} */
let cases = [];
/** @type {any} */
let current = null;
/** @type {number | null} */
let selectedId = null;

const TEXTS = {
  zh: {
    'pad.title': '院内时间记录',
    'pad.wall': '返回大屏',
    'pad.cases': '来院患者',
    'pad.no.cases': '暂无转往本院的病例',
    'pad.case': '病例 #{id} · {pathway} · {complaint}',
    'pad.intervals': '时间间隔',
    'pad.interval.none': '—',
    'pad.interval.minutes': '{minutes} 分钟',
    'pad.interval.target': '目标 ≤ {target} 分钟',
    'pad.stamp.confirm.title': '记录「{milestone}」',
    'pad.stamp.confirm.text': '时间：{time}（按下按钮的时刻）',
    'pad.stamp.confirm': '确认记录',
    'pad.stamp.done': '已记录「{milestone}」{time}',
    'pad.stamp.failed': '记录失败：{detail}',
    'pad.correct': '已记录，点按更正',
    'pad.correct.title': '更正「{milestone}」',
    'pad.correct.text': '当前记录：{time}（{by}）。原记录会保留并标注为已更正。',
    'pad.correct.time': '正确时间',
    'pad.correct.reason': '更正原因（必填）',
    'pad.correct.confirm': '保存更正',
    'pad.correct.required': '请填写正确的时间和更正原因',
    'pad.cancel': '取消',
    'pad.other.facility': '这是 {name} 的记录板：只有该院的团队可以在此记录。',
    'pad.load.failed': '无法加载病例：{detail}',
    'pad.milestone.ccu_arrival': '到达CCU',
    'pad.milestone.troponin_drawn': '肌钙蛋白采血',
    'pad.milestone.troponin_result': '肌钙蛋白结果',
  },
  en: {
    'pad.title': 'Milestone pad',
    'pad.wall': 'Back to the wall screen',
    'pad.cases': 'Patients coming here',
    'pad.no.cases': 'No case is on its way here',
    'pad.case': 'Case #{id} · {pathway} · {complaint}',
    'pad.intervals': 'Intervals',
    'pad.interval.none': '—',
    'pad.interval.minutes': '{minutes} min',
    'pad.interval.target': 'target ≤ {target} min',
    'pad.stamp.confirm.title': 'Record "{milestone}"',
    'pad.stamp.confirm.text': 'Time: {time} (when the button was pressed)',
    'pad.stamp.confirm': 'Record',
    'pad.stamp.done': 'Recorded "{milestone}" at {time}',
    'pad.stamp.failed': 'Not recorded: {detail}',
    'pad.correct': 'Recorded: tap to correct',
    'pad.correct.title': 'Correct "{milestone}"',
    'pad.correct.text': 'Recorded: {time} ({by}). The old stamp is kept, marked as corrected.',
    'pad.correct.time': 'Correct time',
    'pad.correct.reason': 'Reason for the correction (required)',
    'pad.correct.confirm': 'Save the correction',
    'pad.correct.required': 'Give the correct time and the reason',
    'pad.cancel': 'Cancel',
    'pad.other.facility': 'This is the pad of {name}: only its team records here.',
    'pad.load.failed': 'Cannot load the cases: {detail}',
    'pad.milestone.ccu_arrival': 'CCU arrival',
    'pad.milestone.troponin_drawn': 'Troponin drawn',
    'pad.milestone.troponin_result': 'Troponin result',
  },
};

/** @param {string} milestone */
function label(milestone) {
  const own = `pad.milestone.${milestone}`;
  const text = milestoneLabel(milestone);
  return text === `milestone.${milestone}` && t(own) !== own ? t(own) : text;
}

// --- the dialog: one press = one stamp after a confirmation; a correction with a reason ---------

/**
 * Ask in the pad's dialog; resolves with the form's values, or null when cancelled.
 * @param {{title: string, text: string, confirm: string, correction?: {at: string}}} what
 * @returns {Promise<{at: string, reason: string} | null>}
 */
function ask({ title, text, confirm, correction }) {
  const dialog = byId('pad-dialog', HTMLDialogElement);
  const form = byId('pad-form', HTMLFormElement);
  const at = byId('pad-at', HTMLInputElement);
  const reason = byId('pad-reason', HTMLInputElement);
  const error = byId('pad-error');
  byId('pad-dialog-title').textContent = title;
  byId('pad-dialog-text').textContent = text;
  byId('pad-confirm').textContent = confirm;
  byId('pad-correction').hidden = !correction;
  error.hidden = true;
  at.value = correction ? toLocalInput(correction.at) : '';
  reason.value = '';
  return new Promise((resolve) => {
    /** @param {{at: string, reason: string} | null} result */
    const done = (result) => {
      form.removeEventListener('submit', submit);
      byId('pad-cancel').removeEventListener('click', cancel);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      resolve(result);
    };
    /** @param {Event} event */
    const cancel = (event) => { event.preventDefault(); done(null); };
    /** @param {Event} event */
    const submit = (event) => {
      event.preventDefault();
      if (!correction) {
        done({ at: '', reason: '' });
        return;
      }
      const iso = fromLocalInput(at.value);
      if (!iso || !reason.value.trim()) {
        error.textContent = t('pad.correct.required');
        error.hidden = false;
        return;
      }
      done({ at: iso, reason: reason.value.trim() });
    };
    form.addEventListener('submit', submit);
    byId('pad-cancel').addEventListener('click', cancel);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
  });
}

/**
 * Record a stamp (or a correction) here; the case is read again after.
 * @param {string} milestone
 * @param {string} at
 * @param {{supersedes: number, reason: string} | null} correction
 */
async function record(milestone, at, correction) {
  const body = { milestone, at, facility_id: facilityId, ...(correction || {}) };
  try {
    await api(`/cases/${current.id}/events`, { method: 'POST', json: body, headers: { 'Idempotency-Key': newKey() } });
    toast(t('pad.stamp.done', { milestone: label(milestone), time: fmtTime(at) }), 'ok', 3000);
  } catch (err) {
    toast(t('pad.stamp.failed', { detail: errorDetail(err) }), 'error', 10_000);
  }
  await loadCase();
}

/** @param {string} milestone */
async function press(milestone) {
  const at = new Date().toISOString(); // the time of the press, not of the confirmation
  const stamped = currentStamps(current.timeline, facilityId).get(milestone);
  if (stamped) {
    const answer = await ask({
      title: t('pad.correct.title', { milestone: label(milestone) }),
      text: t('pad.correct.text', { time: fmtTime(stamped.at), by: stamped.recorded_by || '' }),
      confirm: t('pad.correct.confirm'),
      correction: { at: stamped.at },
    });
    if (answer) await record(milestone, answer.at, { supersedes: stamped.id, reason: answer.reason });
    return;
  }
  const answer = await ask({
    title: t('pad.stamp.confirm.title', { milestone: label(milestone) }),
    text: t('pad.stamp.confirm.text', { time: fmtTime(at) }),
    confirm: t('pad.stamp.confirm'),
  });
  if (answer) await record(milestone, at, null);
}

// --- the page ------------------------------------------------------------------------------

/** @param {string} id */
function pathwayName(id) {
  const found = pathways.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

function facilityName() {
  return facility ? pick(facility.name_zh, facility.name_en) : facilityId;
}

function renderCases() {
  byId('no-cases').hidden = cases.length > 0;
  byId('case-list').replaceChildren(...cases.map((found) => el('button', {
    type: 'button',
    class: `case-pick${found.id === selectedId ? ' selected' : ''}`,
    dataset: { caseId: found.id },
    onclick: () => { selectedId = found.id; renderCases(); loadCase(); },
  }, t('pad.case', { id: found.id, pathway: pathwayName(found.pathway), complaint: found.complaint || '' }),
  el('small', {}, fmtTime(found.created_at, { seconds: false })))));
}

function renderCase() {
  const box = byId('case');
  box.hidden = !current;
  if (!current) return;
  byId('case-title').textContent = t('pad.case', { id: current.id, pathway: pathwayName(current.pathway), complaint: current.complaint || '' });
  const stamps = currentStamps(current.timeline, facilityId);
  byId('pad-stamps').replaceChildren(...padMilestones(pathways.get(current.pathway)?.milestones || [], milestoneDefs).map((milestone) => {
    const stamped = stamps.get(milestone);
    return el('button', {
      type: 'button', class: `pad-stamp${stamped ? ' done' : ''}`, dataset: { milestone },
      onclick: () => press(milestone),
    }, el('span', {}, label(milestone)),
    el('span', { class: 'stamp-time' }, stamped ? fmtTime(stamped.at) : '—'),
    stamped ? el('span', { class: 'stamp-fix' }, t('pad.correct')) : null);
  }));
  const shown = current.intervals.filter((i) => !i.facility_id || i.facility_id === facilityId);
  const editable = mayWriteReadCase(currentUser());
  const list = byId('intervals');
  redrawKeepingFocus(list, () => list.replaceChildren(...shown.map((i) => el('li', {
    class: i.met === true ? 'met' : i.met === false ? 'missed' : '',
    dataset: { interval: i.name, minutes: i.minutes ?? '' },
  }, el('span', {}, pick(i.label_zh, i.label_en)),
  el('span', { class: 'minutes' }, i.minutes === null ? t('pad.interval.none') : t('pad.interval.minutes', { minutes: Math.round(i.minutes * 10) / 10 })),
  i.target_minutes ? el('span', { class: 'muted' }, t('pad.interval.target', { target: i.target_minutes })) : null,
  i.met === false ? delayReasonView({
    caseId: current.id, interval: i, codes: settings?.delay_reasons || [], limits: settings?.text_limits, editable, onSaved: showSaved,
  }) : null))));
}

/** @param {any} answer the case, as the API answered a delay reason */
function showSaved(answer) {
  if (answer.id !== current?.id) return;
  current = answer;
  renderCase();
}

async function loadCase() {
  if (selectedId === null) return;
  try {
    current = await api(`/cases/${selectedId}`);
    fresh('case');
  } catch (err) {
    stale('case', err);
  }
  renderCase();
}

async function loadCases() {
  const me = currentUser();
  const own = me?.facility_id === facilityId;
  try {
    const found = await api('/cases?status=active&limit=200');
    // the hospital's own list is the cases it is a party of; others see those coming here
    cases = found.filter((/** @type {any} */ c) => own || c.destination_facility_id === facilityId);
    fresh('cases');
    setLive('live');
  } catch (err) {
    stale('cases', err);
    setLive('offline');
  }
  renderCases();
}

async function refresh() {
  await loadCases();
  await loadCase();
}

startPage({
  title: 'pad.title',
  texts: TEXTS,
  roles: ['cathlab', 'admin', 'data_manager'],
  demoLogins: [`cathlab-${facilityId}`],
  onSignedIn: async (user) => {
    byId('wall-link', HTMLAnchorElement).href = `/cathlab/${encodeURIComponent(facilityId)}`;
    settings = await config();
    for (const pathway of settings.pathways) pathways.set(pathway.id, pathway);
    milestoneDefs = settings.milestone_defs || [];
    try {
      facility = (await api(`/facilities/${encodeURIComponent(facilityId)}`)).properties;
    } catch {
      // the id stands in for the name
    }
    const names = () => {
      byId('facility-name').textContent = facilityName();
      byId('pad-notice').textContent = t('pad.other.facility', { name: facilityName() });
    };
    names();
    byId('pad-notice').hidden = !(user.role === 'cathlab' && user.facility_id !== facilityId);
    onLangChange(() => { names(); renderCases(); renderCase(); });
    await refresh();
    setInterval(refresh, REFRESH_MS);
  },
});
