// Drills (模拟演练, issue 16): the county starts a drill at this unit, the unit's stream says so
// (`drill.started`), and the field page shows a "Drill started" banner and opens the drill case,
// which then runs like a real one. `drill.ended` shows the score; `drill.cancelled` clears it.

import { byId, el } from './core.js';
import { onLangChange, t } from './i18n.js';
import { playAlarm } from './alarm.js';
import { hooks } from './field-state.js';

/** @type {{type: string, drill: any} | null} the last drill frame heard */
let last = null;

function render() {
  const banner = byId('drill-banner');
  if (!last || last.type === 'drill.cancelled') {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const { drill } = last;
  const ended = last.type === 'drill.ended';
  const score = drill.score ? t('field.drill.score', { met: drill.score.met, judged: drill.score.judged }) : '';
  banner.dataset.state = ended ? 'ended' : 'started';
  banner.dataset.caseId = String(drill.case_id);
  banner.replaceChildren(
    el('strong', {}, t(ended ? 'field.drill.ended' : 'field.drill.started')),
    ' ',
    el('span', {}, t('field.drill.case', { id: drill.case_id })),
    score ? el('span', { class: 'drill-score' }, ` · ${score}`) : null,
    el('button', { type: 'button', class: 'drill-dismiss', onclick: () => { last = null; render(); } }, t('field.drill.dismiss')),
  );
  banner.hidden = false;
}

/**
 * A drill frame on the unit's stream.
 * @param {{type: string, drill: any}} frame
 */
export async function drillHeard(frame) {
  if (!frame.drill) return;
  last = frame;
  render();
  if (frame.type === 'drill.started' && frame.drill.case_id) {
    playAlarm({ beeps: 2 });
    await hooks.selectCase(frame.drill.case_id);
  }
}

onLangChange(render);
