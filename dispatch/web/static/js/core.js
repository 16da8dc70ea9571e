// What every page shares: the API wrapper, signing in and out, the header (who is signed in,
// live or offline, language, logout), the synthetic-data banner, and small helpers.
//
// A page calls startPage({...}) once; see dispatch/web/README.md.

import { locale, onLangChange, register, setLang, getLang, t, translate } from './i18n.js';
import { problemMessage } from './problems.js';

export const API = '/api/v1';
const TOKEN_KEY = 'infofirst.token';
// A wall screen's kiosk may keep its session across a browser restart (issue 13, item 5): the
// token also in this origin's localStorage, only when the sign-in form's "keep this screen
// signed in" was ticked (offered on the wall only). The server still ends it at sign-out, a
// password change, a disabled account or its longest life; a refused token is forgotten.
const KEPT_TOKEN_KEY = 'infofirst.token.kept';

register({
  zh: {
    'core.brand': 'infofirst 胸痛卒中急救网络',
    'core.tagline': '患者未到，信息先到',
    'core.synthetic': '合成演示数据：所有机构、人员与患者均为虚构，非真实数据',
    'core.signin.title': '登录',
    'core.username': '用户名',
    'core.password': '密码',
    'core.signin': '登录',
    'core.signin.keep': '在此屏幕保持登录（值班大屏：浏览器重启后仍在线）',
    'core.signout': '退出',
    'core.signin.failed': '登录失败：{detail}',
    'core.signin.wrong': '用户名或密码错误',
    'core.demo.hint': '演示账号（密码均为 demo）：{logins}',
    'core.live': '实时',
    'core.connecting': '连接中…',
    'core.offline': '离线',
    'core.stale': '数据未更新（自 {time}）',
    'core.stale.title': '刷新失败：{what}。页面显示的是此前的数据，恢复后自动更新。',
    'core.lang.other': 'English',
    'core.lang.title': '切换语言',
    'core.network': '网络不可用',
    'core.wrong.role': '此页面供{roles}使用；当前登录用户 {user}（{role}）。请退出后换用其他账号。',
    'core.role.admin': '管理员',
    'core.role.dispatcher': '调度员',
    'core.role.auditor': '质控员',
    'core.role.data_manager': '质控员（数据录入）',
    'core.role.ecg_reader': '心电诊断中心',
    'core.role.crew': '救护车组',
    'core.role.township': '乡镇卫生院',
    'core.role.cathlab': '导管室/卒中团队',
  },
  en: {
    'core.brand': 'infofirst emergency network',
    'core.tagline': 'Information before the patient',
    'core.synthetic': 'Synthetic demo data: every facility, person and patient is invented',
    'core.signin.title': 'Sign in',
    'core.username': 'Username',
    'core.password': 'Password',
    'core.signin': 'Sign in',
    'core.signin.keep': 'Keep this screen signed in (a wall kiosk: stays signed in when the browser restarts)',
    'core.signout': 'Sign out',
    'core.signin.failed': 'Sign-in failed: {detail}',
    'core.signin.wrong': 'wrong username or password',
    'core.demo.hint': 'Demo logins (password demo): {logins}',
    'core.live': 'Live',
    'core.connecting': 'Connecting…',
    'core.offline': 'Offline',
    'core.stale': 'Stale since {time}',
    'core.stale.title': 'Refresh failed: {what}. The page shows older data until a refresh succeeds.',
    'core.lang.other': '中文',
    'core.lang.title': 'Switch language',
    'core.network': 'Network unreachable',
    'core.wrong.role': 'This page is for {roles}; you are signed in as {user} ({role}). Sign out and use another login.',
    'core.role.admin': 'administrator',
    'core.role.dispatcher': 'dispatcher',
    'core.role.auditor': 'auditor',
    'core.role.data_manager': 'data manager',
    'core.role.ecg_reader': 'ECG reader',
    'core.role.crew': 'ambulance crew',
    'core.role.township': 'township unit',
    'core.role.cathlab': 'cath lab / stroke team',
  },
});

// --- small helpers ------------------------------------------------------------------------

/**
 * A child of `el()`: a node, text, or something skipped (`null`, `undefined`, `false`); an
 * array of such children is flattened (one level).
 * @typedef {Node | string | number | boolean | null | undefined} Child
 */

/**
 * Create an element: el('button', {class: 'big', onclick: fn, dataset: {x: 1}}, 'text', child).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== 'string') /** @type {Record<string, any>} */ (node)[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * The element with this id, which the page's HTML (or the header) has: a missing one is a bug,
 * thrown at once. `kind` (e.g. HTMLInputElement) checks and types it.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {{new (): T, prototype: T}} [kind]
 * @returns {T}
 */
export function byId(id, kind) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is not on the page`);
  if (kind && !(node instanceof kind)) throw new TypeError(`#${id} is not a ${kind.name}`);
  return /** @type {T} */ (node);
}

/** A fresh idempotency key (UUID v4; works on plain-http intranets too). */
export function newKey() {
  if (typeof globalThis.crypto?.randomUUID === 'function') { // only in a secure context
    try {
      return crypto.randomUUID();
    } catch {
      // not a secure context: fall through
    }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let timeZone = 'Asia/Shanghai';

/**
 * A time as HH:MM:SS (or HH:MM) in the county's time zone.
 * @param {string | null | undefined} iso
 * @param {{seconds?: boolean}} [options]
 */
export function fmtTime(iso, { seconds = true } = {}) {
  if (!iso) return '—';
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { timeZone, hour: '2-digit', minute: '2-digit', hour12: false };
  if (seconds) options.second = '2-digit';
  return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
}

/**
 * A date and time in the county's time zone.
 * @param {string | null | undefined} iso
 */
export function fmtDateTime(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(new Date(iso));
}

/**
 * Show a short message in the corner; kind is 'info', 'ok' or 'error'.
 * @param {string} message
 * @param {'info' | 'ok' | 'error'} [kind]
 * @param {number} [ms]
 */
export function toast(message, kind = 'info', ms = 6000) {
  let box = document.getElementById('toasts');
  if (!box) {
    box = el('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const item = el('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), ms);
  return item;
}

// --- the API --------------------------------------------------------------------------------

/** The longest wait a Retry-After header is taken at (a longer one is cut to it). */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * A Retry-After header's wait in milliseconds (RFC 9110 §10.2.3: delay-seconds or an HTTP
 * date), at most ten minutes; 0 when absent or not understood.
 * @param {string | null} header
 * @param {number} [now] the time now (ms since the epoch)
 * @returns {number}
 */
export function retryAfterMs(header, now = Date.now()) {
  const value = (header || '').trim();
  if (!value) return 0;
  const ms = /^\d+$/.test(value) ? Math.min(Number(value), MAX_RETRY_AFTER_MS) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : 0;
}

/**
 * An API error: `status` (0 when the server could not be reached), `title`, `detail`, and
 * `retryAfterMs`, how long the server asked to wait before a retry (its Retry-After; 0: none).
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} title
   * @param {string} detail
   * @param {any} [body] the problem+json document
   * @param {number} [retryAfter] the server's Retry-After, in milliseconds
   */
  constructor(status, title, detail, body = null, retryAfter = 0) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.body = body;
    this.retryAfterMs = retryAfter;
  }

  /** Worth retrying later (no connection, or the server is unavailable). */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/**
 * What went wrong, in the user's language: an ApiError's problem type translated
 * (problems.js; invalid input field by field; no connection: "网络不可用"), another Error's
 * message, anything else as a string.
 * @param {unknown} error
 * @returns {string}
 */
export function errorDetail(error) {
  if (error instanceof ApiError) {
    return error.status === 0 ? t('core.network') : problemMessage(error.body, getLang(), error.title);
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * An error for a message: the same as errorDetail (an ApiError in the user's language).
 * @param {unknown} error
 * @returns {string}
 */
export function errorMessage(error) {
  return errorDetail(error);
}

/**
 * The server could not be reached (an ApiError with status 0).
 * @param {unknown} error
 */
export function isOffline(error) {
  return error instanceof ApiError && error.status === 0;
}

/** @returns {string | null} */
export function getToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) return token;
  const kept = localStorage.getItem(KEPT_TOKEN_KEY); // a kiosk's session, after a restart
  if (kept) sessionStorage.setItem(TOKEN_KEY, kept);
  return kept;
}

/** Whether this screen keeps its session across a browser restart. */
function keepsSession() {
  return localStorage.getItem(KEPT_TOKEN_KEY) !== null;
}

/** @type {ReturnType<typeof setTimeout> | null} */
let renewal = null;

/** @param {string | null} token */
function setToken(token) {
  const keep = keepsSession();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  if (token && keep) localStorage.setItem(KEPT_TOKEN_KEY, token); // a renewal, kept too
  if (!token) localStorage.removeItem(KEPT_TOKEN_KEY);
  scheduleRenewal(token);
}

/**
 * When the token expires (ms since the epoch), read from its payload; null if unreadable.
 * @param {string} token
 * @returns {number | null}
 */
function expiresAt(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Renew the session before the token expires (at two thirds of what is left), so wall screens
 * and tablets stay signed in; the server ends the session at its longest life (30 days by
 * default), at sign-out, a password change or a disabled account.
 * @param {string | null} token
 */
function scheduleRenewal(token) {
  if (renewal !== null) clearTimeout(renewal);
  renewal = null;
  const expiry = token ? expiresAt(token) : null;
  if (expiry === null) return;
  const wait = Math.max(5_000, Math.min((expiry - Date.now()) * (2 / 3), 2 ** 31 - 1));
  renewal = setTimeout(renewNow, wait);
}

async function renewNow() {
  renewal = null;
  if (!getToken()) return;
  try {
    const renewed = await api('/auth/renew', { method: 'POST' });
    setToken(renewed.access_token);
  } catch (error) {
    // a 401 has signed out (in api()); an outage: try again in a minute
    if (!(error instanceof ApiError && error.status === 401)) renewal = setTimeout(renewNow, 60_000);
  }
}

scheduleRenewal(getToken()); // a page reloaded with its session goes on renewing it

/**
 * @typedef {object} ApiOptions
 * @property {string} [method]
 * @property {unknown} [json] sent as application/json
 * @property {FormData | Record<string, string>} [form] sent as a form
 * @property {HeadersInit} [headers]
 * @property {boolean} [raw] answer with the Response itself
 * @property {boolean} [auth] send the bearer token (default true)
 * @property {AbortSignal} [signal]
 */

/**
 * Call the API: `api('/cases', {method: 'POST', json: {...}, headers: {'Idempotency-Key': k}})`.
 * Paths are under /api/v1 unless they start with /api/. Sends the bearer token; returns the
 * parsed JSON (or the Response when `raw`); throws ApiError from problem+json. A 401 signs out.
 * The answer is typed `any`: the API's JSON is checked by the server's tests, not here.
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', json, form, headers = {}, raw = false, auth = true, signal } = {}) {
  const url = path.startsWith('/api/') ? path : API + path;
  const sent = new Headers(headers);
  const token = getToken();
  if (auth && token) sent.set('Authorization', `Bearer ${token}`);
  let body;
  if (json !== undefined) {
    sent.set('Content-Type', 'application/json');
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form instanceof FormData ? form : new URLSearchParams(form);
  }
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body, signal, cache: 'no-store' });
  } catch (/** @type {any} */ error) { // a TypeError from fetch, or an AbortError
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, t('core.network'), error.message);
  }
  if (!response.ok) {
    /** @type {{title?: string, detail?: string}} */
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = {};
    }
    const error = new ApiError(
      response.status, problem.title || response.statusText || 'Error', problem.detail || '', problem,
      retryAfterMs(response.headers.get('Retry-After')),
    );
    if (response.status === 401 && auth && token) signedOut();
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/**
 * The page configuration from `/web/config`.
 * @typedef {object} PageConfig
 * @property {boolean} synthetic
 * @property {boolean} show_demo_logins whether the sign-in form names the demo logins (never in production)
 * @property {string | null} tile_url
 * @property {string | null} tile_attribution
 * @property {number} heartbeat_seconds
 * @property {number} [wall_alarm_repeat_seconds] the wall rings again this often while unanswered
 * @property {number} [wall_silence_seconds] a silenced wall rings again after this long
 * @property {string} time_zone
 * @property {any[]} pathways `[{id, name_zh, name_en, milestones, receivers_need}]`
 * @property {Record<string, number>} [text_limits] the longest text each field takes
 * @property {{code: string, label_zh: string, label_en: string}[]} [delay_reasons] the coded list
 * @property {MilestoneDef[]} [milestone_defs] the pathway file's own milestones
 */

/**
 * A milestone the pathway file adds (its name, labels, and who has a button for it).
 * @typedef {{name: string, label_zh: string, label_en: string, in_facility: boolean, stamped_by: string[]}} MilestoneDef
 */

/** @type {Promise<PageConfig> | null} */
let configPromise = null;

/**
 * The server's page configuration `{synthetic, tile_url, tile_attribution, heartbeat_seconds, time_zone}`.
 * @returns {Promise<PageConfig>}
 */
export function config() {
  if (!configPromise) {
    const asking = api('/web/config', { auth: false }).then((/** @type {PageConfig} */ found) => {
      timeZone = found.time_zone || timeZone;
      // the pathway file's own milestones are named like the core ones: t(`milestone.${name}`)
      for (const { name, label_zh: zh, label_en: en } of found.milestone_defs || []) {
        register({ zh: { [`milestone.${name}`]: zh }, en: { [`milestone.${name}`]: en } });
      }
      return found;
    });
    asking.catch(() => {
      configPromise = null; // asked again next time; the caller gets the failure
    });
    configPromise = asking;
  }
  return configPromise;
}

// --- signing in and out -------------------------------------------------------------------

/**
 * A signed-in user (`/auth/me`).
 * @typedef {object} User
 * @property {string} username
 * @property {string} [display_name]
 * @property {string} role
 * @property {string | null} [facility_id]
 * @property {string | null} [ambulance_id]
 */

/** @type {User | null} */
let me = null;

/**
 * The signed-in user `{username, display_name, role, facility_id, ambulance_id}`, or null.
 * @returns {User | null}
 */
export function currentUser() {
  return me;
}

/**
 * Sign in with a username and password; returns the user.
 * @param {string} username
 * @param {string} password
 * @returns {Promise<User>}
 */
export async function signIn(username, password, { keep = false } = {}) {
  const token = await api('/auth/token', { method: 'POST', form: { username, password }, auth: false });
  if (keep) localStorage.setItem(KEPT_TOKEN_KEY, token.access_token);
  else localStorage.removeItem(KEPT_TOKEN_KEY);
  setToken(token.access_token);
  const user = /** @type {User} */ (await api('/auth/me'));
  me = user;
  return user;
}

/** @type {Array<() => boolean | void | Promise<boolean | void>>} */
const signOutHooks = [];

/**
 * Run `hook()` before signing out (e.g. close streams); a hook returning false cancels.
 * @param {() => boolean | void | Promise<boolean | void>} hook
 */
export function beforeSignOut(hook) {
  signOutHooks.push(hook);
}

/** Sign out (after the hooks agree) and show the sign-in form again. */
export async function signOut() {
  for (const hook of signOutHooks) {
    if ((await hook()) === false) return false;
  }
  // End the session on the server too: the token is refused from now on, even if a copy of it
  // survives somewhere. A network error still signs out here.
  const old = getToken();
  if (old) {
    try {
      await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${old}` } });
    } catch {
      // offline: the session ends at its expiry
    }
  }
  setToken(null);
  me = null;
  location.reload();
  return true;
}

function signedOut() {
  setToken(null);
  me = null;
  location.reload();
}

/**
 * The page configuration could not be read: the sign-in hint and the synthetic banner wait for
 * the next `config()` (it asks again), and nothing else on the page depends on them.
 * @param {unknown} error
 */
function configUnavailable(error) {
  console.warn('infofirst: the page configuration could not be read', error);
}

// --- the header ------------------------------------------------------------------------------

const LIVE_STATES = ['live', 'connecting', 'offline'];

/**
 * Show the connection state in the header: 'live', 'connecting' or 'offline'.
 * @param {string} state
 */
export function setLive(state) {
  const value = LIVE_STATES.includes(state) ? state : 'offline';
  document.body.dataset.live = value;
  const label = document.getElementById('live-label');
  if (label) {
    label.dataset.i18n = `core.${value}`;
    label.textContent = t(`core.${value}`);
  }
}

/** @param {string} titleKey */
// Refreshes that failed, by name ('cases', 'alerts', …) → when the first of them failed (ms).
/** @type {Map<string, number>} */
const failedRefreshes = new Map();

function showStale() {
  const box = document.getElementById('stale');
  if (!box) return;
  box.hidden = failedRefreshes.size === 0;
  document.body.classList.toggle('stale-data', failedRefreshes.size > 0);
  if (!failedRefreshes.size) {
    box.textContent = '';
    box.removeAttribute('title');
    delete box.dataset.what;
    return;
  }
  const since = new Date(Math.min(...failedRefreshes.values())).toISOString();
  const what = [...failedRefreshes.keys()].join(', ');
  box.dataset.what = what;
  box.textContent = t('core.stale', { time: fmtTime(since, { seconds: false }) });
  box.title = t('core.stale.title', { what });
}

/**
 * A refresh of the page's data failed (`what`: 'cases', 'alerts', 'case', …): the header says
 * the data is stale since the first such failure ("数据未更新（自 HH:MM）"), and the failure is
 * logged with console.warn. Cleared by `fresh(what)` after the next successful refresh.
 * @param {string} what
 * @param {unknown} error
 */
export function stale(what, error) {
  console.warn(`infofirst: refreshing ${what} failed; the page shows older data`, error);
  if (!failedRefreshes.has(what)) failedRefreshes.set(what, Date.now());
  showStale();
}

/**
 * A refresh of `what` succeeded: it no longer counts as stale.
 * @param {string} what
 */
export function fresh(what) {
  if (failedRefreshes.delete(what)) showStale();
}

/** @param {string} titleKey */
function header(titleKey) {
  const langButton = el('button', {
    id: 'lang-switch', type: 'button', class: 'lang-switch', 'data-i18n': 'core.lang.other',
    'data-i18n-title': 'core.lang.title', onclick: () => setLang(getLang() === 'en' ? 'zh' : 'en'),
  });
  return el('div', { class: 'header-bar' },
    el('div', { class: 'brand' },
      el('span', { class: 'brand-name', 'data-i18n': 'core.brand' }),
      el('span', { class: 'page-title', id: 'page-title', 'data-i18n': titleKey })),
    el('div', { class: 'header-slot', id: 'header-slot' }),
    el('div', { class: 'live', id: 'live', role: 'status' },
      el('span', { class: 'live-dot', 'aria-hidden': 'true' }),
      el('span', { id: 'live-label', 'data-i18n': 'core.connecting' })),
    el('span', { class: 'stale', id: 'stale', role: 'status', hidden: true }),
    el('span', { class: 'who', id: 'who', hidden: true }),
    langButton,
    el('button', { id: 'logout', type: 'button', class: 'logout', hidden: true, 'data-i18n': 'core.signout', onclick: () => signOut() }));
}

/** @param {string[]} demoLogins */
function loginForm(demoLogins, keepOption = false) {
  const error = el('p', { class: 'login-error', id: 'login-error', role: 'alert' });
  const hint = el('p', { class: 'login-hint', id: 'login-hint', hidden: true });
  const form = el('form', { class: 'login-form', id: 'login-form', autocomplete: 'on' },
    el('h2', { 'data-i18n': 'core.signin.title' }),
    el('label', {}, el('span', { 'data-i18n': 'core.username' }),
      el('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' })),
    el('label', {}, el('span', { 'data-i18n': 'core.password' }),
      el('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    keepOption
      ? el('label', { class: 'check keep-signed-in' }, el('input', { type: 'checkbox', name: 'keep', id: 'keep-signed-in' }), ' ',
        el('span', { 'data-i18n': 'core.signin.keep' }))
      : null,
    el('button', { type: 'submit', class: 'primary', 'data-i18n': 'core.signin' }),
    error, hint);
  config().then((found) => {
    if (found.show_demo_logins && demoLogins.length) {
      hint.dataset.logins = demoLogins.join(', ');
      hint.textContent = t('core.demo.hint', { logins: hint.dataset.logins });
      hint.hidden = false;
    }
  }).catch(configUnavailable);
  onLangChange(() => {
    if (hint.dataset.logins) hint.textContent = t('core.demo.hint', { logins: hint.dataset.logins });
  });
  return el('section', { id: 'login', class: 'login', hidden: true }, form);
}

/** @param {User} user */
function showUser(user) {
  const who = byId('who');
  who.textContent = `${user.display_name || user.username} · ${t(`core.role.${user.role}`)}`;
  who.dataset.username = user.username;
  who.hidden = false;
  byId('logout').hidden = false;
}

/**
 * The user of the token kept in this tab. While the server cannot answer (a restart at night,
 * 5xx), it asks again (1 s, doubling to 15 s) and keeps the token, so a wall screen reloaded
 * meanwhile stays signed in; null once the server refuses the token (4xx: sign in again).
 * @returns {Promise<User | null>}
 */
async function keptUser() {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 15_000)) {
    try {
      return /** @type {User} */ (await api('/auth/me'));
    } catch (/** @type {any} */ err) {
      const passing = err instanceof ApiError && (err.status === 0 || err.status >= 500);
      if (!passing) {
        if (err.status !== 401) toast(errorDetail(err), 'error');
        setToken(null);
        return null;
      }
      setLive('connecting');
      await new Promise((resolve) => { setTimeout(resolve, wait); });
    }
  }
}

/**
 * Set up a page: header, banner, sign-in. When a user is signed in (now or after the form),
 * calls `onSignedIn(user)` once. Options: `title` (i18n key), `texts` ({zh, en}), `roles`
 * (allowed roles; others see a notice), `demoLogins` (shown on the form with the demo loaded),
 * `signInRequired` (false: a public page, header and banner only).
 * @param {object} options
 * @param {string} options.title
 * @param {{zh: Record<string, string>, en: Record<string, string>} | null} [options.texts]
 * @param {string[] | null} [options.roles]
 * @param {string[]} [options.demoLogins]
 * @param {boolean} [options.keepSignedIn] offer "keep this screen signed in" (a wall kiosk)
 * @param {(user: User) => unknown} [options.onSignedIn]
 * @param {boolean} [options.signInRequired]
 */
export async function startPage({ title, texts = null, roles = null, demoLogins = [], onSignedIn, signInRequired = true, keepSignedIn = false }) {
  if (texts) register(texts);
  const top = byId('app-header');
  top.append(header(title));
  const banner = el('div', { id: 'synthetic-banner', class: 'synthetic-banner', role: 'note', hidden: true, 'data-i18n': 'core.synthetic' });
  const login = loginForm(demoLogins, keepSignedIn);
  const notice = el('p', { id: 'role-notice', class: 'role-notice', hidden: true });
  top.after(banner, login, notice);
  translate(document);
  const pageTitle = () => { document.title = `infofirst · ${t(title)}`; };
  pageTitle();
  setLive('connecting');
  onLangChange(() => {
    pageTitle();
    if (me) showUser(me);
    showStale();
  });
  config().then((found) => {
    banner.hidden = !found.synthetic;
    document.body.classList.toggle('synthetic', Boolean(found.synthetic));
  }).catch(configUnavailable);

  if (!signInRequired) {
    byId('live').hidden = true;
    return;
  }
  const main = byId('main');
  const form = /** @type {HTMLFormElement} */ (login.querySelector('form'));
  /** @param {User} user */
  const enter = async (user) => {
    me = user;
    showUser(user);
    login.hidden = true;
    if (roles && !roles.includes(user.role)) {
      const roleNames = roles.map((role) => t(`core.role.${role}`)).join(' / ');
      notice.textContent = t('core.wrong.role', { roles: roleNames, user: user.username, role: t(`core.role.${user.role}`) });
      notice.hidden = false;
      setLive('offline');
      return;
    }
    main.hidden = false;
    try {
      await onSignedIn?.(user);
    } catch (/** @type {any} */ err) {
      console.error(err); // a script error: shown, and logged for the browser tests
      toast(errorDetail(err), 'error', 15_000);
    }
  };

  /** @type {unknown} */
  let shownSignInError = null;
  const showSignInError = () => {
    const error = byId('login-error');
    const err = shownSignInError;
    if (err === null) {
      error.textContent = '';
      return;
    }
    const detail = err instanceof ApiError && err.status === 401 ? t('core.signin.wrong') : errorDetail(err);
    error.textContent = t('core.signin.failed', { detail });
  };
  onLangChange(showSignInError);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    shownSignInError = null;
    showSignInError();
    let user;
    try {
      user = await signIn(form.username.value.trim(), form.password.value, { keep: Boolean(form.keep?.checked) });
    } catch (err) {
      shownSignInError = err;
      showSignInError();
      return;
    }
    shownSignInError = null;
    form.password.value = '';
    await enter(user);
  });

  if (getToken()) {
    const user = await keptUser();
    if (user) {
      await enter(user);
      return;
    }
  }
  setLive('offline');
  login.hidden = false;
  form.username.focus();
}
