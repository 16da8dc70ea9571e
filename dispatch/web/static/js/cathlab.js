// The cath-lab / stroke team wall screen of one receiving facility (/cathlab/{facility_id}).
//
// On sign-in: the stream's head, then the open alerts over HTTP, then the websocket from the
// head (so nothing between the two is missed; a card per alert id, so nothing shows twice).
// A new alert sounds and flashes; the team acknowledges or activates from its card. A lost
// connection shows a banner; the reconnect catches up from the last frame seen.

import { api, byId, currentUser, el, errorDetail, fmtTime, setLive, startPage, toast } from './core.js';
import { needsGesture, playAlarm, unlock } from './alarm.js';
import { ecgView, etaCountdown, pathwayBadge, pathwayLabel, senderLabel, statusLabel, timesLine, vitalChips } from './alerts-view.js';
import { onLangChange, pick, t } from './i18n.js';
import { openStream, streamHead } from './stream.js';

const facilityId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const ON_BOARD = new Set(['sent', 'delivered', 'acknowledged', 'activated']);
const alerts = new Map(); // alert id → the alert's latest view
const facilities = new Map(); // facility id → properties
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
    'cathlab.decline.confirm': '确定拒绝这名患者？',
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
    'cathlab.decline.confirm': 'Decline this patient?',
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
    box.append(el('button', { type: 'button', class: 'decline', onclick: () => confirm(t('cathlab.decline.confirm')) && answer(alert, 'declined') }, t('cathlab.decline')));
  }
  return box;
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
  el('p', { class: 'summary' }, alert.summary),
  el('div', { class: 'vitals' }, vitalChips(alert.vitals)),
  ecgView(alert),
  el('p', { class: 'sender' }, `${t('alert.from')}${senderLabel(alert, facilities)} · ${t('alert.case', { id: alert.case_id })}`),
  el('p', { class: 'times' }, timesLine(alert)),
  actions(alert));
}

function render() {
  const board = document.getElementById('alerts');
  const showing = [...alerts.values()].filter((a) => ON_BOARD.has(a.status) && !a.closed_at);
  showing.sort((a, b) => (a.eta_at ? Date.parse(a.eta_at) : Infinity) - (b.eta_at ? Date.parse(b.eta_at) : Infinity) || a.id - b.id);
  const fresh = new Set([.../** @type {NodeListOf<HTMLElement>} */ (board.querySelectorAll('.alert-card.new'))].map((node) => Number(node.dataset.alertId)));
  board.replaceChildren(...showing.map((a) => card(a, fresh.has(a.id) && (a.status === 'sent' || a.status === 'delivered'))));
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
  playAlarm();
}

async function answer(alert, action) {
  unlock();
  const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll(`.alert-card[data-alert-id="${alert.id}"] button`));
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const result = await api(`/alerts/${alert.id}/ack`, { method: 'POST', json: { action } });
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
  const waiting = !alert.closed_at && (alert.status === 'sent' || alert.status === 'delivered');
  if (frame.type === 'alert.created' && !known && waiting) announce(alert.id);
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
}

function facilityName(id) {
  const found = facilities.get(id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

async function showFacility() {
  try {
    const all = await api('/facilities');
    for (const feature of all.features) facilities.set(feature.properties.id, feature.properties);
  } catch {
    // names only: the screen works without them
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
  onSignedIn: async () => {
    byId('sound-enable').addEventListener('click', unlock);
    await showFacility();
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
