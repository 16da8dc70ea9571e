// The time-audit reports: each metric against its target (n, mean, median, P90, compliance),
// its monthly trend and its facilities, the case list with each case's timeline, and the
// CSV / Excel / PDF downloads — for a period, a pathway and a facility. The missed targets are
// counted by delay reason; the case list shows each missed interval's reason, which data
// managers (and admins, dispatchers) give in place (delay-reasons.js), the counts following.
//
// Auditors, dispatchers and admins read every facility; township and cath-lab users only their
// own (the server enforces it; the page fixes the facility filter to say so).

import { ApiError, api, byId, config, el, errorDetail, fresh, setLive, stale, startPage } from './core.js';
import { getLang, onLangChange, pick, t } from './i18n.js';
import { REPORTS_TEXTS } from './reports-texts.js';
import { monthsBetween, trendChart } from './reports-chart.js';
import { PAGE, caseRows, facilityRows, metricKey, metricLabel, metricsRows, worstItems } from './reports-tables.js';
import { download, openTimeline, setUpTimeline } from './reports-files.js';
import { mayChangeAnyCase } from './delay-reasons.js';
import { DRILLS_TEXTS } from './drills-texts.js';
import { setUpDrills } from './reports-drills.js';

const $ = byId;
const OWN_FACILITY = ['township', 'cathlab'];
const FILTER_KINDS = ['county_hospital', 'city_hospital', 'township_unit'];
const view = {
  report: null, failure: null, loading: false, months: [], selected: null, shown: PAGE, facilities: new Map(), pathways: [],
  params: null, user: null, settings: null,
};

function facilityName(id, fallback = null) {
  const found = view.facilities.get(id);
  if (found) return pick(found.name_zh || found.name, found.name_en);
  if (fallback) return pick(fallback.name_zh, fallback.name_en) || id;
  return id;
}

// --- filters ------------------------------------------------------------------------------

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function monthsBack(day, count) {
  let [year, month] = day.split('-').map(Number);
  month -= count;
  while (month < 1) {
    month += 12;
    year -= 1;
  }
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

function filters() {
  return {
    from: $('from', HTMLInputElement).value,
    to: $('to', HTMLInputElement).value,
    pathway: $('pathway', HTMLSelectElement).value,
    facility_id: $('facility', HTMLSelectElement).value,
    drill: $('drill', HTMLInputElement).checked,
  };
}

function query(extra = {}) {
  const chosen = filters();
  const params = new URLSearchParams({ from: chosen.from, to: chosen.to });
  if (chosen.pathway) params.set('pathway', chosen.pathway);
  if (chosen.facility_id) params.set('facility_id', chosen.facility_id);
  if (chosen.drill) params.set('drill', 'true');
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params;
}

/** A pathway's name: the page's wording, else the server's (new pathways are data). */
function pathwayName(id) {
  const key = `reports.pathway.${id}`;
  const text = t(key);
  if (text !== key) return text;
  const found = view.pathways.find((pathway) => pathway.id === id);
  return found ? pick(found.name_zh, found.name_en) : id;
}

function fillPathways() {
  const select = $('pathway', HTMLSelectElement);
  const value = select.value;
  select.replaceChildren(el('option', { value: '' }, t('reports.pathway.all')),
    ...view.pathways.map((pathway) => el('option', { value: pathway.id }, pathwayName(pathway.id))));
  select.value = value;
}

function fillFacilities(user) {
  const select = $('facility', HTMLSelectElement);
  const value = select.value;
  const own = OWN_FACILITY.includes(user.role);
  const choices = [...view.facilities.values()]
    .filter((f) => (own ? f.id === user.facility_id : FILTER_KINDS.includes(f.kind)))
    .sort((a, b) => FILTER_KINDS.indexOf(a.kind) - FILTER_KINDS.indexOf(b.kind) || a.id.localeCompare(b.id));
  select.replaceChildren(...(own ? [] : [el('option', { value: '' }, t('reports.facility.all'))]),
    ...choices.map((f) => el('option', { value: f.id }, facilityName(f.id))));
  select.value = own ? user.facility_id : value;
  select.disabled = own;
  $('scope-note').hidden = !own;
  if (own) $('scope-note').textContent = t('reports.scope.own', { facility: facilityName(user.facility_id) });
}

async function setUpFilters(user) {
  const settings = await config();
  const params = new URLSearchParams(location.search);
  const day = today(settings.time_zone || 'Asia/Shanghai');
  view.settings = settings;
  view.pathways = settings.pathways || [];
  $('to', HTMLInputElement).value = params.get('to') || day;
  $('from', HTMLInputElement).value = params.get('from') || monthsBack(day, 2);
  fillPathways();
  $('pathway', HTMLSelectElement).value = params.get('pathway') || '';
  try {
    const found = await api('/facilities');
    for (const feature of found.features) view.facilities.set(feature.properties.id, feature.properties);
  } catch {
    // the filter then offers only "all"; the report still names its facilities
  }
  fillFacilities(user);
  if (params.get('facility_id') && !OWN_FACILITY.includes(user.role)) $('facility', HTMLSelectElement).value = params.get('facility_id');
  $('drill', HTMLInputElement).checked = params.get('drill') === 'true';
  onLangChange(() => {
    fillPathways();
    fillFacilities(user);
  });
}

// --- the report -----------------------------------------------------------------------------

function pickMetric(report) {
  if (report.metrics.some((m) => metricKey(m) === view.selected)) return view.selected;
  const judged = report.metrics.find((m) => m.n > 0 && (m.report_targets.mean_below != null || m.report_targets.mean_at_most != null || m.report_targets.compliance_at_least != null));
  return metricKey(judged || report.metrics.find((m) => m.n > 0) || report.metrics[0]);
}

async function load() {
  const status = $('report-status');
  status.textContent = t('reports.loading');
  status.className = 'report-status';
  view.loading = true;
  $('report').hidden = true;
  history.replaceState(null, '', `${location.pathname}?${query()}`);
  const params = query({ format: 'json' });
  try {
    view.report = await api(`/reports/intervals?${query({ format: 'json', cases: 'all' })}`);
    view.params = params;
  } catch (error) {
    view.loading = false;
    view.report = null;
    view.failure = error;
    showFailure();
    return;
  }
  view.loading = false;
  view.failure = null;
  const period = view.report.period;
  view.months = monthsBetween(period.from.slice(0, 7), lastDay(period.to).slice(0, 7));
  view.selected = pickMetric(view.report);
  view.shown = PAGE;
  status.textContent = '';
  $('report').hidden = false;
  render();
}

/** Why there is no report, in the page's language (again after a switch). */
function showFailure() {
  const error = view.failure;
  if (!error) return;
  const status = $('report-status');
  const empty = error instanceof ApiError && error.status === 404 && error.body?.type?.includes('empty-period');
  status.textContent = empty ? t('reports.empty') : t('reports.failed', { detail: errorDetail(error) });
  status.className = `report-status ${empty ? 'empty' : 'failed'}`;
}

function render() {
  const report = view.report;
  if (!report) return;
  const period = report.period;
  $('summary').textContent = t('reports.summary', {
    from: period.from.slice(0, 10), to: lastDay(period.to), tz: period.time_zone, n: report.case_count,
  });
  $('summary-drill').hidden = !report.filters.drill;
  $('quality').replaceChildren(...['missing', 'out_of_order', 'clock_skew', 'corrections', 'cases_with_findings'].map((key) => el('li', {
    class: report.quality[key] ? 'has' : '', dataset: { quality: key },
  }, el('strong', {}, String(report.quality[key] ?? 0)), ` ${t(`reports.quality.${key}`)}`)));
  renderDelays(report);
  renderMetrics();
  renderCases();
}

/** The period's missed intervals by delay reason (the data manager's list; issue 14). */
function renderDelays(report) {
  const rows = report.delay_reasons || [];
  $('delays-empty').hidden = rows.length > 0;
  $('delays-table').hidden = rows.length === 0;
  const label = (r) => {
    const metric = report.metrics.find((m) => m.pathway === r.pathway && m.name === r.name);
    return metric ? metricLabel(metric) : r.name;
  };
  $('delays-body').replaceChildren(...rows.map((r) => el('tr', { class: r.code === 'none' ? 'has' : '', dataset: { code: r.code, metric: `${r.pathway}:${r.name}` } },
    el('td', {}, label(r)), el('td', {}, pick(r.label_zh, r.label_en)), el('td', { class: 'num' }, String(r.n)))));
}

/** Month on month (and year on year) in one line: what changed and whether it is better. */
function trendNote(trend) {
  const parts = [];
  for (const [key, change] of [['mom', trend?.month_on_month], ['yoy', trend?.year_on_year]]) {
    if (!change) continue;
    const delta = change.mean_change !== null ? t('reports.trendnote.mean', { v: change.mean_change > 0 ? `+${change.mean_change}` : String(change.mean_change) })
      : change.share_change !== null ? t('reports.trendnote.share', { v: `${change.share_change > 0 ? '+' : ''}${Math.round(change.share_change * 1000) / 10}` }) : '';
    const verdict = change.better === null ? t('reports.trendnote.same') : t(change.better ? 'reports.trendnote.better' : 'reports.trendnote.worse');
    parts.push(t(`reports.trendnote.${key}`, { from: change.from, to: change.to, delta, verdict }));
  }
  return parts.join(' · ');
}

function lastDay(periodTo) {
  const date = new Date(Date.parse(periodTo) - 1);
  return new Intl.DateTimeFormat('en-CA', { timeZone: view.report.period.time_zone }).format(date);
}

function renderMetrics() {
  const report = view.report;
  const table = $('metrics-table');
  table.querySelectorAll('tbody').forEach((body) => body.remove());
  table.append(...metricsRows(report, view.months, view.selected, select, pathwayName));
  const metric = report.metrics.find((m) => metricKey(m) === view.selected);
  if (!metric) return;
  $('trend-title').textContent = t('reports.trend', { metric: metricLabel(metric) });
  $('trend-note').textContent = trendNote(metric.trend);
  $('trend-chart').replaceChildren(trendChart(metric, view.months));
  $('facility-title').textContent = t('reports.facilities', { metric: metricLabel(metric) });
  $('facility-body').replaceChildren(...facilityRows(metric, facilityName));
  $('worst-list').replaceChildren(...worstItems(metric, facilityName, openTimeline));
}

function select(key) {
  view.selected = key;
  renderMetrics();
  $('trend-title').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

function renderCases() {
  const delay = {
    codes: view.settings?.delay_reasons || [], limits: view.settings?.text_limits, editable: mayChangeAnyCase(view.user), onSaved: reasonSaved,
  };
  const { rows, left, total } = caseRows(view.report, {
    outsideOnly: $('cases-outside', HTMLInputElement).checked, shown: view.shown, facilityName, pathwayName, openTimeline, delay,
  });
  $('cases-body').replaceChildren(...rows);
  $('cases-count').textContent = String(total);
  $('cases-none').hidden = total > 0;
  $('cases-more').hidden = left === 0;
  $('cases-more').textContent = t('reports.cases.more', { n: left });
}

/**
 * A delay reason was given in the case list: the case's missed intervals take their reasons
 * from the answer (the case), and the counts by reason are read again for the same report.
 */
async function reasonSaved(answer) {
  const listed = (view.report?.cases || []).find((c) => c.case_id === answer.id);
  for (const interval of listed ? listed.intervals : []) {
    const same = answer.intervals.filter((i) => i.name === interval.name);
    const found = same.length === 1 ? same[0] : same.find((i) => i.facility_id === interval.facility_id);
    if (found && interval.met === false) interval.delay_reason = found.delay_reason;
  }
  renderCases();
  const report = view.report;
  try {
    const counted = await api(`/reports/intervals?${view.params}&cases=none`);
    fresh('delays');
    if (view.report !== report) return; // another report was loaded meanwhile
    report.delay_reasons = counted.delay_reasons;
    renderDelays(report);
  } catch (error) {
    stale('delays', error);
  }
}

// --- downloads ------------------------------------------------------------------------------

const DOWNLOADS = {
  csv: { format: 'csv', table: 'summary' },
  cases: { format: 'csv', table: 'cases' },
  xlsx: { format: 'xlsx' },
  pdf: { format: 'pdf' },
};

function setUpDownloads() {
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('button[data-download]'))) {
    button.addEventListener('click', () => {
      const spec = DOWNLOADS[button.dataset.download];
      const params = query({ ...spec, lang: getLang() });
      const chosen = filters();
      download(`/reports/intervals?${params}`, `report-${chosen.from}-${chosen.to}.${spec.format}`, button);
    });
  }
}

startPage({
  title: 'reports.title',
  roles: ['auditor', 'data_manager', 'admin', 'dispatcher', 'township', 'cathlab'],
  demoLogins: ['auditor', 'township-th-nandun'],
  texts: { zh: { ...REPORTS_TEXTS.zh, ...DRILLS_TEXTS.zh }, en: { ...REPORTS_TEXTS.en, ...DRILLS_TEXTS.en } },
  onSignedIn: async (user) => {
    view.user = user;
    setLive('live');
    setUpTimeline();
    setUpDownloads();
    await setUpFilters(user);
    await setUpDrills({ user, facilities: view.facilities, facilityName, pathwayName, period: () => filters() });
    $('report-filters').addEventListener('submit', (event) => {
      event.preventDefault();
      load();
    });
    $('cases-outside', HTMLInputElement).addEventListener('change', () => {
      view.shown = PAGE;
      renderCases();
    });
    $('cases-more').addEventListener('click', () => {
      view.shown += PAGE;
      renderCases();
    });
    onLangChange(() => {
      if (view.loading) $('report-status').textContent = t('reports.loading');
      render();
      showFailure();
    });
    await load();
  },
});
