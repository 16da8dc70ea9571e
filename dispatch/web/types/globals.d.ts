// Types of what the pages' scripts see besides the DOM, for `tsc` (jsconfig.json; not served).
// Leaflet is the vendored script (static/vendor/leaflet), loaded by map.js as the global `L`;
// its types come from @types/leaflet (pinned in package.json to the vendored 1.9 line).
import type * as Leaflet from 'leaflet';

declare global {
  interface Window {
    L?: typeof Leaflet;
    /** Safari before 14.1. */
    webkitAudioContext?: typeof AudioContext;
    /** cathlab.js: the alerts stream, for operators and tests (lastSeq, state, connects). */
    infofirstStream?: import('../static/js/stream.js').Stream;
    /** alarm.js: how many beeps were played (for operators and the browser tests). */
    __alarmBeeps?: number;
    /** cathlab.js: the wall's alarm (unanswered alerts, silence left). */
    __wallAlarm?: import('../static/js/wall-alarm.js').AlarmScheduler;
  }
}

export {};
