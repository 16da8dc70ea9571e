// Following an alert stream over a websocket, the way a wall screen must:
// - connects with ?since=<last seq>&ticket=… (a one-time ticket asked for just before, so no
//   bearer token is ever in a URL), so every reconnect catches up from the database;
// - a close with code 4401 means the session ended (signed out elsewhere, password changed,
//   account disabled, expired): the page signs out;
// - drops any frame it already had (by seq), and resets when the stream's epoch changes;
// - confirms each frame it handed over ({"type": "delivered", "seq": N});
// - browsers have no websocket ping: the server sends a heartbeat about every 10 s, and
//   silence for 3 heartbeats (about 30 s) counts as a lost connection;
// - reconnects with a growing, jittered delay (0.5 s … 5 s), at once when the browser is back online.
//
//   const stream = openStream('/ws/facilities/county-hospital/alerts', {
//     since: head, epoch, onFrame: (frame) => …, onState: (state) => setLive(state),
//   });
//   stream.close();

import { api, config, getToken } from './core.js';

const MAX_DELAY_MS = 5000;

/** @typedef {'connecting' | 'live' | 'offline'} StreamState */
/**
 * @typedef {object} StreamOptions
 * @property {number} [since]
 * @property {number} [epoch]
 * @property {(frame: any) => void} onFrame a frame of the server's JSON (typed by the server's tests)
 * @property {(state: StreamState) => void} [onState]
 * @property {() => void} [onReset]
 * @property {number | null} [silenceMs]
 * @property {boolean} [confirm]
 */
/**
 * @typedef {object} Stream
 * @property {number} lastSeq
 * @property {number} epoch
 * @property {StreamState} state
 * @property {number} connects
 * @property {() => void} close
 * @property {() => void} reconnectNow
 */

/**
 * Open a stream. Options: `since` and `epoch` (where to start, e.g. from the HTTP replay's
 * head), `onFrame(frame)` for each new frame (never one twice), `onState(state)` with
 * 'connecting' | 'live' | 'offline', `onReset()` when the stream's epoch changed (the stream
 * was rebuilt: forget what was shown), `silenceMs` (default: 3 heartbeats from the server's
 * config, else 30 s), `confirm` (send delivery confirmations, default true).
 * @param {string} path
 * @param {StreamOptions} options
 * @returns {Stream}
 */
export function openStream(path, { since = 0, epoch = 0, onFrame, onState = () => {}, onReset = () => {}, silenceMs = null, confirm = true }) {
  /** @type {Stream} */
  const self = {
    lastSeq: since,
    epoch,
    state: 'connecting',
    connects: 0,
    close,
    reconnectNow,
  };
  /** @type {WebSocket | null} */
  let socket = null;
  let failures = 0;
  let attempts = 0; // connect() calls so far
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let lastHeard = Date.now();
  let closed = false;
  let silence = silenceMs ?? 30_000;

  if (silenceMs === null) {
    config().then((found) => {
      if (found.heartbeat_seconds) silence = Math.max(3 * found.heartbeat_seconds * 1000, 5000);
    }).catch(keepDefaultSilence);
  }

  /**
   * Without the configuration the stream waits the default 30 s of silence: it still works.
   * @param {unknown} error
   */
  function keepDefaultSilence(error) {
    console.warn('infofirst: no heartbeat setting from the server; 30 s of silence counts as lost', error);
  }

  /** @param {StreamState} state */
  function setState(state) {
    if (self.state === state) return;
    self.state = state;
    onState(state);
  }

  async function connect() {
    timer = null;
    if (closed) return;
    if (!getToken()) return;
    const attempt = ++attempts; // a newer attempt (reconnectNow) makes this one stand down
    let ticket;
    try {
      ticket = (await api('/auth/ws-ticket', { method: 'POST' })).ticket;
    } catch {
      // a 401 has signed out already (in api()); anything else is an outage: try again
      if (closed || attempt !== attempts) return;
      setState('offline');
      failures += 1;
      schedule();
      return;
    }
    if (closed || attempt !== attempts) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}${path}?since=${self.lastSeq}&ticket=${encodeURIComponent(ticket)}`;
    const ws = new WebSocket(url);
    socket = ws;
    let opened = false;
    lastHeard = Date.now();
    if (self.state !== 'offline') setState('connecting');
    ws.onopen = () => {
      opened = true;
      failures = 0;
      lastHeard = Date.now();
      self.connects += 1;
      setState('live');
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return; // not ours
      }
      take(ws, frame);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return; // already given up on
      socket = null;
      if (closed) return;
      if (event.code === 4401) {
        // the session ended: api() signs out on the 401 this probe gets
        api('/auth/me').catch(probeFailed);
        return;
      }
      setState('offline');
      if (!opened) {
        failures += 1;
        if (failures % 3 === 0) api('/auth/me').catch(probeFailed); // an expired token signs out
      }
      schedule();
    };
  }

  /**
   * The probe for an expired token: a 401 has signed out already (in api()); any other
   * failure is the outage this stream already shows as 'offline', and it retries anyway.
   * @param {unknown} error
   */
  function probeFailed(error) {
    console.warn('infofirst: the stream could not check the sign-in', error);
  }

  /**
   * @param {WebSocket} ws
   * @param {any} frame
   */
  function take(ws, frame) {
    const frameEpoch = Number(frame.epoch || 0);
    if (frameEpoch && self.epoch && frameEpoch !== self.epoch) {
      self.epoch = frameEpoch; // a rebuilt stream: start it over
      self.lastSeq = 0;
      onReset();
      drop(ws);
      schedule(0);
      return;
    }
    if (frameEpoch) self.epoch = frameEpoch;
    if (frame.type === 'heartbeat') return;
    const seq = Number(frame.seq);
    if (!Number.isFinite(seq) || seq <= self.lastSeq) return; // seen already
    self.lastSeq = seq;
    try {
      onFrame(frame);
    } finally {
      if (confirm && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'delivered', seq }));
      }
    }
  }

  /** @param {WebSocket} ws */
  function drop(ws) {
    if (socket === ws) socket = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close();
    } catch {
      // closing a dead socket
    }
  }

  /** @param {number | null} [delay] ms; default: the growing back-off */
  function schedule(delay = null) {
    if (closed || timer !== null) return;
    const base = Math.min(500 * 2 ** Math.max(failures - 1, 0), MAX_DELAY_MS);
    const wait = delay ?? base * (0.75 + Math.random() * 0.5);
    timer = setTimeout(connect, wait);
  }

  function reconnectNow() {
    if (closed) return;
    if (socket) drop(socket);
    if (timer !== null) clearTimeout(timer);
    timer = null;
    failures = 0;
    connect();
  }

  const watchdog = setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN && Date.now() - lastHeard > silence) {
      drop(socket); // silent too long: the connection is gone even if the socket does not know
      setState('offline');
      schedule(0);
    }
  }, 1000);
  const online = () => reconnectNow();
  const offline = () => {
    if (socket) drop(socket);
    setState('offline');
    schedule();
  };
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);

  function close() {
    closed = true;
    clearInterval(watchdog);
    if (timer !== null) clearTimeout(timer);
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    if (socket) drop(socket);
  }

  connect();
  return self;
}

/**
 * The HTTP replay's head of a facility's stream: `{epoch, head}` (start a screen there).
 * @param {string} facilityId
 * @returns {Promise<{epoch: number, head: number}>}
 */
export async function streamHead(facilityId) {
  const found = await api(`/facilities/${encodeURIComponent(facilityId)}/alerts?since=0&limit=1`);
  return { epoch: Number(found.epoch || 0), head: Number(found.head || 0) };
}
