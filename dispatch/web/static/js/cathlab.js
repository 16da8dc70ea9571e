// The cath-lab / stroke team wall screen of one receiving facility (/cathlab/{facility_id}).
//
// On sign-in: the stream's head, then the open alerts over HTTP, then the websocket from the
// head (so nothing between the two is missed; a card per alert id, so nothing shows twice).
// A new alert flashes; the alarm rings while any alert is unanswered (wall-alarm.js), also
// after a reload; the team acknowledges, activates or declines (with a reason) from its card,
// whose buttons stay on screen (the summary is clamped, "more" expands it; the ECG opens full
// screen with a tap). A lost connection shows a banner; the reconnect catches up from the
// last frame seen.

import { api, byId, config, currentUser, el, errorDetail, fmtTime, setLive, startPage, toast } from './core.js';
import { needsGesture, playAlarm, start as startSound, unlock } from './alarm.js';
import { ecgView, etaCountdown, pathwayBadge, pathwayLabel, senderLabel, senderPhone, statusLabel, timesLine, vitalChips } from './alerts-view.js';
import { onLangChange, pick, t } from './i18n.js';
import { openStream, streamHead } from './stream.js';
import { alarmScheduler } from './wall-alarm.js';
import { askDeclineReason } from './wall-decline.js';

const facilityId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const ON_BOARD = new Set(['sent', 'delivered', 'acknowledged', 'activated']);
const alerts = new Map(); // alert id → the alert's latest view
const facilities = new Map(); // facility id → properties
const ambulances = new Map(); // ambulance id → properties (call sign, station)
const expanded = new Set(); // alert ids whose whole summary is shown
/** @type {import('./wall-alarm.js').AlarmScheduler | null} */
let alarm = null;
const recent = []; // alerts that left the board, newest first
let stream = null;
let wasOffline = false;
let caughtUp = 0;

const TEXTS = {
  zh: {
    'cathlab.title': '导管室 / 卒中团队大屏',
    'cathlab.empty': '暂无来院患者预警',
    'cathlab.count': '{n} 名患者在途',
    'cathlab.offline': '连接中断：正在重新连接… 屏幕上的信息可能不是最新的',
    'cathlab.back': '连接已恢复，已补齐 {n} 条更新',
    'cathlab.ack': '确认收到',
    'cathlab.activate.stemi': '启动导管室',
    'cathlab.activate.stroke': '启动卒中团队',
    'cathlab.decline': '拒绝',
    'cathlab.pad': '院内时间记录',
    'cathlab.more': '展开全文',
    'cathlab.less': '收起',
    'cathlab.silence': '静音 {s} 秒',
    'cathlab.silenced': '已静音，{s} 秒后再次提醒（未回复）',
    'cathlab.ecg.close': '点击任意处关闭',
    'cathlab.answer.failed': '操作失败：{detail}',
    'cathlab.recent': '最近处理',
    'cathlab.sound.enable': '点击启用提示音',
    'cathlab.load.failed': '无法加载 {facility} 的预警：{detail}',
    'cathlab.unknown': '没有这个机构编号',
    'cathlab.own': '打开本院大屏：{name}',
  },
  en: {
    'cathlab.title': 'Cath lab / stroke team screen',
    'cathlab.empty': 'No incoming patients',
    'cathlab.count': '{n} patient(s) on the way',
    'cathlab.offline': 'Connection lost: reconnecting… what is shown may be out of date',
    'cathlab.back': 'Reconnected: {n} update(s) caught up',
    'cathlab.ack': 'Acknowledge',
    'cathlab.activate.stemi': 'Activate cath lab',
    'cathlab.activate.stroke': 'Activate stroke team',
    'cathlab.decline': 'Decline',
    'cathlab.pad': 'Milestone pad',
    'cathlab.more': 'More',
    'cathlab.less': 'Less',
    'cathlab.silence': 'Silence {s} s',
    'cathlab.silenced': 'Silenced: rings again in {s} s (unanswered)',
    'cathlab.ecg.close': 'Tap anywhere to close',
    'cathlab.answer.failed': 'Failed: {detail}',
    'cathlab.recent': 'Recently handled',
    'cathlab.sound.enable': 'Click to enable the alarm sound',
    'cathlab.load.failed': 'Cannot load the alerts of {facility}: {detail}',
    'cathlab.unknown': 'no facility has this id',
    'cathlab.own': 'Open your own screen: {name}',
  },
};

function canAnswer() {
  const me = currentUser();
  return me.role === 'admin' || (['cathlab', 'township'].includes(me.role) && me.facility_id === facilityId);
}

function actions(alert) {
  if (!canAnswer()) return null;
  const box = el('div', { class: 'actions' });
  const team = alert.pathway === 'stroke' ? 'stroke' : 'stemi';
  if (alert.status === 'sent' || alert.status === 'delivered') {
    box.append(el('button', { type: 'button', class: 'ack', onclick: () => answer(alert, 'acknowledged') }, t('cathlab.ack')));
  }
  if (alert.status !== 'activated') {
    box.append(el('button', { type: 'button', class: 'activate primary', onclick: () => answer(alert, 'activated') }, t(`cathlab.activate.${team}`)));
    box.append(el('button', { type: 'button', class: 'decline', onclick: () => decline(alert) }, t('cathlab.decline')));
  }
  return box;
}

function summary(alert) {
  const open = expanded.has(alert.id);
  return el('div', { class: 'summary-box' },
    el('p', { class: `summary${open ? ' expanded' : ' clamped'}` }, alert.summary),
    el('button', {
      type: 'button', class: 'more', hidden: true,
      onclick: () => { if (open) expanded.delete(alert.id); else expanded.add(alert.id); render(); },
    }, t(open ? 'cathlab.less' : 'cathlab.more')));
}

function sender(alert) {
  const phone = senderPhone(alert, facilities, ambulances);
  return el('p', { class: 'sender' },
    `${t('alert.from')}${senderLabel(alert, facilities, ambulances)}`,
    phone ? el('a', { class: 'phone', href: `tel:${phone}` }, t('alert.phone', { phone })) : null,
    ` · ${t('alert.case', { id: alert.case_id })}`);
}

function card(alert, fresh) {
  const eta = etaCountdown(alert);
  return el('article', {
    class: `alert-card pathway-${alert.pathway} status-${alert.status}${fresh ? ' new' : ''}`,
    dataset: { alertId: alert.id, status: alert.status, pathway: alert.pathway },
  },
  el('div', { class: 'card-top' },
    pathwayBadge(alert.pathway),
    alert.drill ? el('span', { class: 'drill-badge' }, t('alert.drill')) : null,
    el('span', { class: 'status' }, statusLabel(alert)),
    alert.escalation_level ? el('span', { class: 'escalated' }, t('alert.escalated', { n: alert.escalation_level })) : null,
    el('span', { class: `eta${eta.overdue ? ' overdue' : ''}` }, el('small', {}, t('alert.eta')), el('b', { class: 'eta-value' }, eta.text))),
  summary(alert),
  el('div', { class: 'vitals' }, vitalChips(alert.vitals)),
  ecgView(alert),
  sender(alert),
  el('p', { class: 'times' }, timesLine(alert)),
  actions(alert));
}

/** Unanswered: nobody of the team has acknowledged, activated or declined it yet. */
function unanswered(alert) {
  return !alert.closed_at && (alert.status === 'sent' || alert.status === 'delivered');
}

/** "more" only where the clamp hides part of the summary. */
function showMoreButtons(board) {
  for (const box of board.querySelectorAll('.summary-box')) {
    const text = /** @type {HTMLElement} */ (box.querySelector('.summary'));
    const more = /** @type {HTMLElement} */ (box.querySelector('.more'));
    more.hidden = text.classList.contains('clamped') && text.scrollHeight <= text.clientHeight + 1;
  }
}

function render() {
  const board = document.getElementById('alerts');
  const showing = [...alerts.values()].filter((a) => ON_BOARD.has(a.status) && !a.closed_at);
  // unanswered first (their buttons on top), then the soonest arrival
  showing.sort((a, b) => Number(unanswered(b)) - Number(unanswered(a))
    || (a.eta_at ? Date.parse(a.eta_at) : Infinity) - (b.eta_at ? Date.parse(b.eta_at) : Infinity) || a.id - b.id);
  const fresh = new Set([.../** @type {NodeListOf<HTMLElement>} */ (board.querySelectorAll('.alert-card.new'))].map((node) => Number(node.dataset.alertId)));
  board.replaceChildren(...showing.map((a) => card(a, fresh.has(a.id) && (a.status === 'sent' || a.status === 'delivered'))));
  showMoreButtons(board);
  alarm?.update(showing.filter(unanswered).map((a) => a.id));
  showSilence();
  byId('empty').hidden = showing.length > 0;
  byId('counts').textContent = showing.length ? t('cathlab.count', { n: showing.length }) : '';
  const list = document.getElementById('recent');
  list.replaceChildren(...recent.slice(0, 8).map((a) => el('li', { dataset: { alertId: a.id } },
    `${fmtTime(a.closed_at || a.answered_at || a.created_at, { seconds: false })} · ${pathwayLabel(a.pathway)} · ${a.summary.slice(0, 40)} · ${statusLabel(a)}`)));
  byId('recent-box').hidden = recent.length === 0;
}

function upsert(alert) {
  const before = alerts.get(alert.id);
  alerts.set(alert.id, alert);
  const leaving = before && ON_BOARD.has(before.status) && !before.closed_at && (!ON_BOARD.has(alert.status) || alert.closed_at);
  if (leaving) {
    const index = recent.findIndex((a) => a.id === alert.id);
    if (index >= 0) recent.splice(index, 1);
    recent.unshift(alert);
  }
}

function announce(alertId) {
  const node = document.querySelector(`.alert-card[data-alert-id="${alertId}"]`);
  node?.classList.add('new');
  const flash = document.getElementById('flash');
  flash.hidden = false;
  flash.classList.remove('flashing');
  void flash.offsetWidth; // restart the animation
  flash.classList.add('flashing');
  setTimeout(() => { flash.hidden = true; }, 3000);
}

/** The silence button: shown while the alarm rings, counting down while silenced. */
function showSilence() {
  const button = byId('silence', HTMLButtonElement);
  const left = alarm ? alarm.silencedFor() : 0;
  button.hidden = !alarm || alarm.waiting() === 0;
  button.classList.toggle('silenced', left > 0);
  button.textContent = left > 0
    ? t('cathlab.silenced', { s: Math.ceil(left / 1000) })
    : t('cathlab.silence', { s: Math.round(silenceMs / 1000) });
}

let silenceMs = 120_000;

/** The alarm rings only on the screens of those who can answer (not a watching dispatcher). */
async function startAlarm() {
  const found = await config();
  silenceMs = (found.wall_silence_seconds || 120) * 1000;
  if (!canAnswer()) return;
  startSound();
  alarm = alarmScheduler({ repeatMs: (found.wall_alarm_repeat_seconds || 20) * 1000, silenceMs, ring: () => playAlarm() });
  window.__wallAlarm = alarm;
  byId('silence').addEventListener('click', () => { alarm?.silence(); showSilence(); });
}

async function decline(alert) {
  const note = await askDeclineReason();
  if (note) await answer(alert, 'declined', note);
}

/** The ECG full screen (a tap on its image); a tap anywhere or Escape closes it. */
function openEcg(image) {
  const box = byId('ecg-full');
  byId('ecg-full-image', HTMLImageElement).src = image.src;
  box.hidden = false;
}

async function answer(alert, action, note = '') {
  unlock();
  const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(`.alert-card[data-alert-id="${alert.id}"] button`));
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const result = await api(`/alerts/${alert.id}/ack`, { method: 'POST', json: note ? { action, note } : { action } });
    upsert(result.alert);
    render();
  } catch (err) {
    toast(t('cathlab.answer.failed', { detail: errorDetail(err) }), 'error');
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function onFrame(frame) {
  const alert = frame.alert;
  if (!alert || alert.to_facility_id !== facilityId) return; // this facility's own outgoing alerts
  const known = alerts.has(alert.id);
  upsert(alert);
  caughtUp += 1;
  render();
  if (frame.type === 'alert.created' && !known && unanswered(alert)) announce(alert.id); // the alarm rang in render()
}

function onState(state) {
  setLive(state);
  byId('conn-banner').hidden = state !== 'offline';
  document.body.classList.toggle('disconnected', state === 'offline');
  if (state === 'offline') {
    wasOffline = true;
    caughtUp = 0;
  } else if (state === 'live' && wasOffline) {
    wasOffline = false;
    // frames replayed right after the reconnect arrive within a moment: report them then
    setTimeout(() => toast(t('cathlab.back', { n: caughtUp }), 'ok'), 1500);
  }
}

async function load() {
  if (facilities.size && !facilities.has(facilityId)) throw new Error(t('cathlab.unknown'));
  const { epoch, head } = await streamHead(facilityId);
  const open = await api('/alerts?open=true&limit=200');
  for (const alert of open.reverse()) {
    if (alert.to_facility_id === facilityId) upsert(alert);
  }
  render();
  return { epoch, head };
}

function tick() {
  const now = Date.now();
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.alert-card'))) {
    const alert = alerts.get(Number(node.dataset.alertId));
    const value = node.querySelector('.eta-value');
    if (!alert || !value) continue;
    const eta = etaCountdown(alert, now);
    value.textContent = eta.text;
    value.parentElement.classList.toggle('overdue', eta.overdue);
  }
  byId('clock').textContent = fmtTime(new Date(now).toISOString());
  byId('sound-enable').hidden = !needsGesture();
  alarm?.tick();
  showSilence();
}

function facilityName(id) {
  const found = facilities.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

async function showFacility() {
  try {
    const [all, fleet] = await Promise.all([api('/facilities'), api('/ambulances')]);
    for (const feature of all.features) facilities.set(feature.properties.id, feature.properties);
    for (const feature of fleet.features) ambulances.set(feature.properties.id, feature.properties);
  } catch {
    // names and phones only: the screen works without them
  }
  const name = () => { byId('facility-name').textContent = facilityName(facilityId); };
  name();
  onLangChange(() => { name(); render(); });
}

startPage({
  title: 'cathlab.title',
  texts: TEXTS,
  roles: ['cathlab', 'township', 'admin', 'dispatcher', 'auditor', 'data_manager'],
  demoLogins: [`cathlab-${facilityId}`],
  keepSignedIn: true,
  onSignedIn: async () => {
    byId('sound-enable').addEventListener('click', unlock);
    byId('pad-link', HTMLAnchorElement).href = `/cathlab/${encodeURIComponent(facilityId)}/pad`;
    byId('alerts').addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if (target instanceof HTMLImageElement && target.classList.contains('ecg-image')) openEcg(target);
    });
    const closeEcg = () => { byId('ecg-full').hidden = true; };
    byId('ecg-full').addEventListener('click', closeEcg);
    window.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeEcg(); });
    await showFacility();
    await startAlarm();
    tick();
    setInterval(tick, 1000);
    let start;
    try {
      start = await load();
    } catch (err) {
      const box = document.getElementById('load-error');
      box.textContent = t('cathlab.load.failed', { facility: facilityId, detail: errorDetail(err) });
      const own = currentUser().facility_id;
      if (own && own !== facilityId) {
        box.append(' ', el('a', { href: `/cathlab/${encodeURIComponent(own)}` }, t('cathlab.own', { name: facilityName(own) })));
      }
      box.hidden = false;
      setLive('offline');
      return;
    }
    stream = openStream(`/ws/facilities/${encodeURIComponent(facilityId)}/alerts`, {
      since: start.head,
      epoch: start.epoch,
      onFrame,
      onState,
      onReset: () => { alerts.clear(); recent.length = 0; render(); },
    });
    window.infofirstStream = stream; // for operators and tests: lastSeq, state, connects
  },
});
