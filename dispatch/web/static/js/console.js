// The 120 dispatcher console: the live map (ambulances by status, facilities, drive-time
// areas), a new call with one-click dispatch of the nearest ambulance by road, the active
// cases with their timers, and every pre-arrival alert with its state, followed live.

import { byId, config, el, fmtTime, startPage } from './core.js';
import { onLangChange, t } from './i18n.js';
import { CONSOLE_TEXTS } from './console-texts.js';
import { setupMap, showCoverage, COVERAGES } from './console-map.js';
import { startFleet } from './console-fleet.js';
import { fleetChanged, mapReady, pickPoint, startCall } from './console-call.js';
import { render as renderCases, startCases } from './console-cases.js';
import { startAlerts } from './console-alerts.js';
import { startActions } from './console-actions.js';
import { state, tickTimers } from './console-util.js';

const $ = byId;

function startClock() {
  const clock = el('span', { class: 'console-clock', id: 'console-clock', 'data-i18n-aria': 'console.clock', 'aria-label': t('console.clock') });
  $('header-slot').append(clock);
  const tick = () => {
    clock.textContent = fmtTime(new Date().toISOString());
    tickTimers();
  };
  tick();
  setInterval(tick, 1000);
}

function coverageChoice() {
  const select = $('coverage-select', HTMLSelectElement);
  const fill = () => {
    const value = select.value || 'pci';
    select.replaceChildren(
      ...Object.keys(COVERAGES).map((cap) => el('option', { value: cap }, t(`console.coverage.${cap}`))),
      el('option', { value: '' }, t('console.coverage.none')));
    select.value = value;
  };
  fill();
  onLangChange(fill);
  select.addEventListener('change', () => showCoverage(select.value));
}

startPage({
  title: 'console.title',
  roles: ['dispatcher', 'admin', 'auditor', 'data_manager'],
  demoLogins: ['dispatcher'],
  texts: CONSOLE_TEXTS,
  onSignedIn: async (user) => {
    state.user = user;
    state.pathways = (await config()).pathways || [];
    const dispatcher = ['dispatcher', 'admin'].includes(user.role);
    $('call-form').hidden = !dispatcher;
    $('call-readonly').hidden = dispatcher;
    startClock();
    coverageChoice();
    /** @type {ReturnType<typeof startCases> | null} */
    let cases = null;
    /** @type {ReturnType<typeof startFleet> | null} */
    let fleet = null;
    // The call panel first: a dispatcher may start typing while the map loads.
    startCall({
      onDispatched: (id) => {
        cases?.refresh(id);
        fleet?.now();
      },
    });
    await setupMap($('map'), { onPick: pickPoint });
    mapReady();
    fleet = startFleet({
      legend: $('fleet-legend'),
      updated: $('fleet-updated'),
      centres: $('centres'),
      onChange: () => {
        fleetChanged();
        renderCases();
      },
    });
    const following = startCases();
    cases = following;
    startActions({
      onChange: () => {
        following.refresh();
        fleet?.now();
      },
    });
    await startAlerts({ onChange: renderCases, onCreated: () => following.refresh() });
  },
});
