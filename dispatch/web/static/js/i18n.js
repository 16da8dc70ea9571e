// Texts in Chinese first (zh-CN, the default) and English; the choice is remembered.
//
//   register({ zh: { 'x.hello': '你好，{name}' }, en: { 'x.hello': 'Hello, {name}' } })
//   t('x.hello', { name: '王医生' })
//   <span data-i18n="x.hello"></span>  → filled by translate() and on every language change
//
// A key missing in English falls back to Chinese, then to the key itself.

const STORAGE_KEY = 'infofirst.lang';
/** @type {Lang[]} */
const LANGS = ['zh', 'en'];
/** @typedef {'zh' | 'en'} Lang */
/** @typedef {Record<string, string>} Texts */
/** @type {Record<Lang, Texts>} */
const texts = { zh: {}, en: {} };
/** @type {Set<(lang: Lang) => void>} */
const listeners = new Set();

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: Chinese
  }
}

/** @type {Lang} */
let current = stored() === 'en' ? 'en' : 'zh';
document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';

/**
 * Add texts: `{ zh: {key: text}, en: {key: text} }`. Later registrations win.
 * @param {Partial<Record<Lang, Texts>>} dict
 */
export function register(dict) {
  for (const lang of LANGS) Object.assign(texts[lang], dict[lang] || {});
}

/**
 * The text of `key` in the current language, `{name}` placeholders filled from `vars`.
 * @param {string} key
 * @param {Record<string, unknown>} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  const text = texts[current][key] ?? texts.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, /** @type {string} */ name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * 'zh' or 'en'.
 * @returns {Lang}
 */
export function getLang() {
  return current;
}

/** The BCP 47 tag of the current language (for Intl formatting). */
export function locale() {
  return current === 'en' ? 'en-GB' : 'zh-CN';
}

/**
 * Of two values (e.g. `name_zh`, `name_en` from the API), the one in the current language.
 * @template T
 * @param {T} zh
 * @param {T} en
 * @returns {T}
 */
export function pick(zh, en) {
  return current === 'en' ? en || zh : zh || en;
}

/**
 * Switch language, remember it, re-translate the page and tell every listener.
 * @param {string} lang
 */
export function setLang(lang) {
  current = lang === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // not remembered; still switched
  }
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  translate(document);
  for (const listener of listeners) listener(current);
}

/**
 * Call `listener(lang)` after every switch; returns a function that stops it.
 * @param {(lang: Lang) => void} listener
 */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Fill `data-i18n` (text), `data-i18n-placeholder`, `data-i18n-title` and `data-i18n-aria`.
 * @param {ParentNode} [root]
 */
export function translate(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) {
    if (node instanceof HTMLElement || node instanceof SVGElement) node.textContent = t(node.dataset.i18n || '');
  }
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) {
      node.placeholder = t(node.dataset.i18nPlaceholder || '');
    }
  }
  for (const node of root.querySelectorAll('[data-i18n-title]')) {
    if (node instanceof HTMLElement) node.title = t(node.dataset.i18nTitle || '');
  }
  for (const node of root.querySelectorAll('[data-i18n-aria]')) {
    if (node instanceof HTMLElement) node.setAttribute('aria-label', t(node.dataset.i18nAria || ''));
  }
}
