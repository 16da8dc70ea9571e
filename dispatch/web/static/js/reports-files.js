// Files behind the bearer token: a case's timeline chart shown in a dialog, and the report's
// downloads. An <img> or a plain link cannot send the token, so both are fetched and handed
// to the browser as blob: URLs (allowed by the pages' CSP).

import { api, byId, el, errorDetail, toast } from './core.js';
import { getLang, onLangChange, t } from './i18n.js';

let shownUrl = null;

function dialog() {
  return byId('timeline-dialog', HTMLDialogElement);
}

/** Wire up the timeline dialog's close button (once). */
export function setUpTimeline() {
  const box = dialog();
  byId('timeline-close').addEventListener('click', () => box.close());
  onLangChange(() => { // the chart is drawn in the page's language: draw it again
    const shown = byId('timeline-img', HTMLImageElement).dataset.caseId;
    if (box.open && shown) openTimeline(shown);
  });
  box.addEventListener('close', () => {
    const img = byId('timeline-img', HTMLImageElement);
    img.removeAttribute('src');
    delete img.dataset.caseId;
    if (shownUrl) URL.revokeObjectURL(shownUrl);
    shownUrl = null;
  });
}

/** Show case `id`'s timeline (GET /cases/{id}/timeline.svg) in the dialog. */
export async function openTimeline(id) {
  const box = dialog();
  const img = byId('timeline-img', HTMLImageElement);
  const status = document.getElementById('timeline-status');
  byId('timeline-title').textContent = t('reports.timeline.title', { id });
  img.hidden = true;
  img.alt = t('reports.timeline.title', { id });
  status.textContent = t('reports.timeline.loading');
  if (!box.open) box.showModal();
  try {
    const response = await api(`/cases/${id}/timeline.svg?lang=${getLang()}`, { raw: true });
    const blob = await response.blob();
    if (shownUrl) URL.revokeObjectURL(shownUrl);
    shownUrl = URL.createObjectURL(blob);
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error('the chart could not be shown'));
      img.src = shownUrl;
    });
    img.hidden = false;
    img.dataset.caseId = String(id);
    img.dataset.lang = getLang();
    status.textContent = '';
  } catch (error) {
    status.textContent = errorDetail(error);
  }
}

function fileName(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}

/** Fetch `path` with the token and save it as a file. */
export async function download(path, fallbackName, button) {
  if (button) button.disabled = true;
  try {
    const response = await api(path, { raw: true });
    const blob = await response.blob();
    const name = fileName(response, fallbackName);
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    toast(t('reports.download.saved', { name }), 'ok', 3000);
  } catch (error) {
    toast(t('reports.download.failed', { detail: errorDetail(error) }), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}
