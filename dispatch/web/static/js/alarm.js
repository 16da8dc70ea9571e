// The new-alert sound: three two-tone beeps made with WebAudio (no sound file needed).
// Browsers only allow sound after a click or key press on the page: `unlock()` is called on
// every such gesture, and `needsGesture()` tells the page to ask for one. A kiosk browser
// started with `--autoplay-policy=no-user-gesture-required` plays at once: `start()` (the wall
// screen, at load) creates the sound then, so a reloaded wall rings without a click.
// `window.__alarmBeeps` counts the beeps played (for operators and the browser tests).

/** @type {AudioContext | null} */
let context = null;

function audio() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    context = new Context();
  }
  return context;
}

/**
 * Create the sound now, without waiting for a gesture: it runs where the browser allows sound
 * without one (a kiosk), else it waits suspended for the next click (`needsGesture()`).
 */
export function start() {
  audio();
}

/** Allow sound (call from a click or key handler). */
export function unlock() {
  const ctx = audio();
  if (ctx && ctx.state === 'suspended') ctx.resume().catch(refused);
}

/**
 * The browser may refuse to resume without a gesture it counts: the page keeps asking for one
 * (needsGesture()), and the next click or key press tries again. Nothing else to do.
 */
function refused() {}

/** Whether the browser is still waiting for a gesture before it plays sound. */
export function needsGesture() {
  return !context || context.state !== 'running';
}

/** Play the alarm (silently does nothing while sound is not allowed yet). */
export function playAlarm({ beeps = 3 } = {}) {
  const ctx = context; // created by a gesture, or by start() where the browser allows it
  if (!ctx || ctx.state !== 'running') return false;
  const start = ctx.currentTime + 0.05;
  for (let i = 0; i < beeps; i += 1) {
    for (const [offset, frequency] of [[0, 880], [0.18, 660]]) {
      const at = start + i * 0.6 + offset;
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = 'square';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.17);
    }
  }
  window.__alarmBeeps = (window.__alarmBeeps || 0) + beeps;
  return true;
}

for (const kind of ['pointerdown', 'keydown']) window.addEventListener(kind, unlock, { capture: true });
