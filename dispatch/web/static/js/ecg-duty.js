// The ECG readers' rota on the reading page (/ecg; issue 16): who is on duty now (the readers
// whose shift covers this moment, `GET /ecg-rota/on-duty`), and for a reader whether they are.
// With nobody on duty, the page says that an unread ECG escalates to every reader. An unread
// ECG's escalation (`ecg.escalated` on the readers' stream) names the readers it is for
// (`to_readers`): only their pages show it.

import { api, byId, currentUser, fmtTime } from './core.js';
import { t } from './i18n.js';

const RECHECK_MS = 60_000; // shifts change on the hour: a minute late at most

export const DUTY_TEXTS = {
  zh: {
    'ecg.duty.now': '当前值班：{names}',
    'ecg.duty.shift': '{name}（{label}，至 {time}）',
    'ecg.duty.sep': '、',
    'ecg.duty.day': '白班',
    'ecg.duty.night': '夜班',
    'ecg.duty.nobody': '当前无人值班：超时未判读的心电图将通知全部判读医师',
    'ecg.duty.you': '您正在值班',
    'ecg.duty.you.not': '您当前不在值班',
    'ecg.escalated': '心电图 #{id} 超时未判读（第 {level} 次提醒），请立即判读',
    'ecg.escalated.all': '心电图 #{id} 超时未判读（第 {level} 次提醒）：当前无人值班，已通知全部判读医师',
  },
  en: {
    'ecg.duty.now': 'On duty now: {names}',
    'ecg.duty.shift': '{name} ({label}, until {time})',
    'ecg.duty.sep': ', ',
    'ecg.duty.day': 'day shift',
    'ecg.duty.night': 'night shift',
    'ecg.duty.nobody': 'Nobody is on duty: an unread ECG escalates to every reader',
    'ecg.duty.you': 'You are on duty',
    'ecg.duty.you.not': 'You are not on duty',
    'ecg.escalated': 'ECG #{id} is still unread (reminder {level}): read it now',
    'ecg.escalated.all': 'ECG #{id} is still unread (reminder {level}): nobody is on duty, every reader was told',
  },
};

/** @typedef {{username: string, ends_at: string, label: string}} Shift */

/** @type {{onDuty: Shift[], you: boolean | null, escalated: any}} */
const duty = { onDuty: [], you: null, escalated: null };

export function renderDuty() {
  const now = byId('duty-now');
  now.textContent = duty.onDuty.length
    ? t('ecg.duty.now', {
      names: duty.onDuty.map((shift) => t('ecg.duty.shift', {
        name: shift.username, label: t(`ecg.duty.${shift.label}`), time: fmtTime(shift.ends_at, { seconds: false }),
      })).join(t('ecg.duty.sep')),
    })
    : t('ecg.duty.nobody');
  now.classList.toggle('nobody', duty.onDuty.length === 0);
  const you = byId('duty-you');
  you.hidden = duty.you === null;
  you.textContent = duty.you ? t('ecg.duty.you') : t('ecg.duty.you.not');
  you.classList.toggle('on', duty.you === true);
  byId('duty').hidden = false;
  const banner = byId('escalated');
  banner.hidden = !duty.escalated;
  if (duty.escalated) {
    const { id, escalation_level: level, readers_on_duty: onDuty } = duty.escalated;
    banner.textContent = t(onDuty ? 'ecg.escalated' : 'ecg.escalated.all', { id, level });
  }
}

async function loadDuty() {
  try {
    const found = await api('/ecg-rota/on-duty');
    duty.onDuty = found.on_duty;
    duty.you = found.you_are_on_duty;
    renderDuty();
  } catch {
    // the rota stays as last shown; the page's own freshness mark says when the server is away
  }
}

/** Load the duty now and every minute. */
export async function followDuty() {
  await loadDuty();
  setInterval(loadDuty, RECHECK_MS);
}

/**
 * A frame of the readers' stream: an escalation addressed to this reader shows its banner;
 * a reading of that ECG takes it down.
 * @param {any} frame
 */
export function dutyFrame(frame) {
  const ecg = frame.ecg;
  if (!ecg) return;
  if (frame.type === 'ecg.escalated' && (ecg.to_readers || []).includes(currentUser()?.username)) {
    duty.escalated = ecg;
    renderDuty();
  } else if (frame.type === 'ecg.read' && duty.escalated?.id === ecg.id) {
    duty.escalated = null;
    renderDuty();
  }
}
