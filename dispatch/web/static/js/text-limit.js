// Free text clamped to what the server takes, with the count shown while typing.
//
// A field marked `data-limit="<name>"` gets the server's limit for that name (`text_limits` of
// /api/v1/web/config, read from the API's own schemas) as its maxlength, and a small
// "n / max" counter after it that turns orange near the limit and red at it.
//
//   limitTexts(form, config.text_limits);   // after building or refilling a form

import { el } from './core.js';

const NEAR = 0.9;

/**
 * @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {number} max
 */
function counterOf(field, max) {
  const next = field.nextElementSibling;
  const counter = next instanceof HTMLElement && next.classList.contains('text-count')
    ? next
    : el('span', { class: 'text-count', 'aria-live': 'polite' });
  if (counter !== next) field.after(counter);
  const n = field.value.length;
  counter.textContent = `${n} / ${max}`;
  counter.classList.toggle('near', n >= max * NEAR && n < max);
  counter.classList.toggle('full', n >= max);
  return counter;
}

/**
 * Clamp and count every `[data-limit]` field under `root`; idempotent (call again after the
 * fields' values were set by code).
 * @param {ParentNode} root
 * @param {Record<string, number> | undefined} limits
 */
export function limitTexts(root, limits) {
  if (!limits) return;
  for (const field of root.querySelectorAll('[data-limit]')) {
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) continue;
    const max = limits[field.dataset.limit || ''];
    if (!max) continue;
    field.maxLength = max;
    if (field.value.length > max) field.value = field.value.slice(0, max);
    counterOf(field, max);
    if (!field.dataset.counted) {
      field.dataset.counted = '1';
      field.addEventListener('input', () => counterOf(field, max));
    }
  }
}
