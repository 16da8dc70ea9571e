// The field app's outbox: every action is written to IndexedDB first (with its idempotency key
// and its original device time), then sent in order. When the connection is bad the items
// wait and are retried (at once when the browser comes back online or a new item is queued,
// else with a growing delay); after a server's Retry-After (e.g. its 503 during a database
// failover) nothing is sent before that time unless the user presses Retry now
// (`flush(true)`); the server's Idempotency-Key makes every retry safe. An item the server refuses
// for good (a 4xx other than 401) is dropped and reported, so it never blocks the rest.
//
//   const outbox = await openOutbox(username, { senders: { event: async (item, refs) => … } });
//   await outbox.add({ kind: 'event', label: '首份心电图', case_id: 7, key: newKey(), at, body });

import { ApiError } from './core.js';

const DB_NAME = 'infofirst-field';
const MIN_RETRY_MS = 2000;
const MAX_RETRY_MS = 30_000;

/**
 * An IndexedDB request as a promise.
 * @template T
 * @param {IDBRequest<T>} req
 * @returns {Promise<T>}
 */
function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
    db.createObjectStore('refs', { keyPath: 'ref' });
  };
  return request(req);
}

/**
 * An action waiting to be sent: `kind` picks the sender; `label` is what the user sees in the
 * outbox list, `key` its Idempotency-Key, `ref` keeps its result for `refs.get(ref)` of a
 * later item; `id`, `owner` and `queued_at` are set when stored. The rest (the body, the case
 * id, …) is the sender's own.
 * @typedef {{kind: string, label?: string, key?: string, ref?: string, at?: string, body?: any,
 *   id?: number, owner?: string, queued_at?: string, [more: string]: unknown}} OutboxItem
 */

/** @typedef {OutboxItem & {id: number}} StoredItem an item in the outbox */
/** @typedef {{get(ref: string): Promise<any>}} Refs the results of earlier items */
/** @typedef {(item: any, refs: Refs) => Promise<any>} Sender sends one item (items are the field app's) */

/**
 * @typedef {object} OutboxHooks
 * @property {Record<string, Sender>} senders kind → sender
 * @property {() => void} [onChange]
 * @property {(item: OutboxItem, result: any) => void} [onSent]
 * @property {(item: OutboxItem, error: ApiError) => void} [onFailed]
 */

/**
 * @typedef {object} Outbox
 * @property {'idle' | 'sending' | 'waiting'} state 'waiting' for the connection
 * @property {{item: OutboxItem, error: ApiError}[]} failed refused by the server
 * @property {unknown} lastError
 * @property {(item: OutboxItem) => Promise<StoredItem>} add
 * @property {() => Promise<StoredItem[]>} items
 * @property {(force?: boolean) => Promise<void>} flush `force`: even before the server's Retry-After
 */

/**
 * The outbox of one user (items of other users on this device stay untouched). `senders`:
 * kind → async (item, refs) => result; `refs.get(ref)` gives an earlier item's result (e.g.
 * the attachment id of an upload queued before an alert). `onChange()` after every change,
 * `onSent(item, result)`, `onFailed(item, error)`.
 * @param {string} owner
 * @param {OutboxHooks} hooks
 * @returns {Promise<Outbox>}
 */
export async function openOutbox(owner, { senders, onChange = () => {}, onSent = () => {}, onFailed = () => {} }) {
  const db = await openDb();
  /**
   * @param {string} name
   * @param {IDBTransactionMode} [mode]
   */
  const store = (name, mode = 'readonly') => db.transaction(name, mode).objectStore(name);
  /** @type {Promise<void> | null} */
  let flushing = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let retryTimer = null;
  let retryDelay = MIN_RETRY_MS;
  let notBefore = 0; // the time (ms) the server's last Retry-After ends
  /** @type {Outbox} */
  const outbox = {
    state: 'idle', // 'idle' | 'sending' | 'waiting' (for the connection)
    failed: [], // [{item, error}] refused by the server
    lastError: null,

    /** Queue an item (its `key` and times are kept as given) and try to send at once. */
    async add(item) {
      const stored = { ...item, owner, queued_at: new Date().toISOString() };
      stored.id = /** @type {number} */ (await request(store('outbox', 'readwrite').add(stored))); // autoIncrement
      onChange();
      outbox.flush();
      return /** @type {StoredItem} */ (stored); // its id was set just above
    },

    /** This user's waiting items, oldest first. */
    async items() {
      /** @type {StoredItem[]} */
      const all = await request(store('outbox').getAll());
      return all.filter((item) => item.owner === owner).sort((a, b) => a.id - b.id);
    },

    /**
     * Send the waiting items in order; stops at the first one that cannot be sent now. Before
     * the server's Retry-After has passed it only waits for it, unless `force`d.
     */
    flush(force = false) {
      const wait = notBefore - Date.now();
      if (!force && wait > 0 && !flushing) {
        if (retryTimer !== null) clearTimeout(retryTimer);
        retryTimer = setTimeout(() => outbox.flush(), wait);
        outbox.state = 'waiting';
        return Promise.resolve();
      }
      if (!flushing) flushing = run().finally(() => { flushing = null; onChange(); });
      return flushing;
    },
  };

  /** @type {Refs} */
  const refs = {
    async get(ref) {
      const found = await request(store('refs').get(ref));
      return found ? found.value : undefined;
    },
  };

  async function run() {
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    for (;;) {
      const [next] = await outbox.items();
      if (!next) {
        outbox.state = 'idle';
        retryDelay = MIN_RETRY_MS;
        return;
      }
      outbox.state = 'sending';
      onChange();
      let result;
      try {
        result = await senders[next.kind](next, refs);
      } catch (error) {
        if (error instanceof ApiError && !error.retryable && error.status !== 401) {
          await request(store('outbox', 'readwrite').delete(next.id));
          outbox.failed.push({ item: next, error });
          onFailed(next, error);
          continue;
        }
        outbox.state = 'waiting';
        outbox.lastError = error;
        const asked = error instanceof ApiError ? error.retryAfterMs : 0;
        notBefore = asked ? Date.now() + asked : 0;
        retryTimer = setTimeout(() => outbox.flush(), Math.max(retryDelay, asked));
        retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
        return;
      }
      if (next.ref) await request(store('refs', 'readwrite').put({ ref: next.ref, value: result }));
      await request(store('outbox', 'readwrite').delete(next.id));
      outbox.lastError = null;
      notBefore = 0;
      onSent(next, result);
    }
  }

  window.addEventListener('online', () => {
    retryDelay = MIN_RETRY_MS;
    outbox.flush();
  });
  return outbox;
}
