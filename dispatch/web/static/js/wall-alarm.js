// When the wall screen rings: at once for a new unanswered alert, then every `repeatMs` while
// any alert is unanswered, until someone answers. Silencing is not answering: a silenced alarm
// rings again `silenceMs` later if an alert is still unanswered (and at once for a new one).
// Pure: no clock, timer or sound of its own (the page ticks it and passes the ring function).

/**
 * @typedef {object} AlarmScheduler
 * @property {(ids: Iterable<number>) => void} update the unanswered alerts now (a new one rings)
 * @property {() => void} silence quiet for `silenceMs` (answers nothing)
 * @property {() => void} tick ring if it is time
 * @property {() => number} silencedFor milliseconds of silence left (0: not silenced)
 * @property {() => number} waiting how many alerts are unanswered
 */

/**
 * @param {object} options
 * @param {number} options.repeatMs
 * @param {number} options.silenceMs
 * @param {() => void} options.ring
 * @param {() => number} [options.now]
 * @returns {AlarmScheduler}
 */
export function alarmScheduler({ repeatMs, silenceMs, ring, now = Date.now }) {
  /** @type {Set<number>} */
  let unanswered = new Set();
  let silencedUntil = 0;
  let lastRing = -Infinity;

  const ringNow = () => {
    lastRing = now();
    ring();
  };

  return {
    update(ids) {
      const next = new Set(ids);
      const added = [...next].some((id) => !unanswered.has(id));
      unanswered = next;
      if (!next.size) silencedUntil = 0;
      if (added) {
        silencedUntil = 0; // a new patient is never silenced in advance
        ringNow();
      }
    },
    silence() {
      if (unanswered.size) silencedUntil = now() + silenceMs;
    },
    tick() {
      const at = now();
      if (unanswered.size && at >= silencedUntil && at - lastRing >= repeatMs) ringNow();
    },
    silencedFor: () => Math.max(0, silencedUntil - now()),
    waiting: () => unanswered.size,
  };
}
