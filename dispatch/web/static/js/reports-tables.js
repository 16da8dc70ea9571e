// The report's tables: metrics against their targets, one metric by facility, its longest
// cases, and the case list (each case's timeline one click away).

import { el, fmtDateTime } from './core.js';
import { pick, t } from './i18n.js';
import { sparkline } from './reports-chart.js';
import { delayReasonView } from './delay-reasons.js';

const PAGE = 100;

export const metricKey = (m) => `${m.pathway}:${m.name}`;
export const metricLabel = (m) => pick(m.label_zh, m.label_en);

function num(value, digits = 1) {
  return value === null || value === undefined ? '—' : Number(value).toFixed(digits);
}

function pct(value, digits = 1) {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** The metric's targets as one short phrase. */
export function targetText(m) {
  const r = m.report_targets || {};
  const parts = [];
  if (m.target_minutes !== null && m.target_minutes !== undefined) {
    parts.push(t(m.met_if === 'lt' ? 'reports.target.lt' : 'reports.target.le', { v: m.target_minutes }));
  }
  if (r.mean_below !== null && r.mean_below !== undefined) parts.push(t('reports.target.mean', { v: r.mean_below }));
  if (r.mean_at_most !== null && r.mean_at_most !== undefined) parts.push(t('reports.target.mean_le', { v: r.mean_at_most }));
  if (r.compliance_at_least !== null && r.compliance_at_least !== undefined) parts.push(t('reports.target.compliance', { v: pct(r.compliance_at_least, 0) }));
  if (r.aim_minutes !== null && r.aim_minutes !== undefined) parts.push(t('reports.target.aim', { v: r.aim_minutes }));
  if (r.rate_at_least !== null && r.rate_at_least !== undefined) parts.push(t('reports.target.rate', { v: pct(r.rate_at_least, 0) }));
  return parts.join(' · ') || '—';
}

/** 'met', 'missed' or 'none' from the figures' `meets` verdicts. */
export function verdict(figures) {
  const values = Object.values(figures.meets || {}).filter((v) => v !== null && v !== undefined);
  if (!values.length) return 'none';
  return values.every(Boolean) ? 'met' : 'missed';
}

function figureCells(m, f) {
  const rate = m.kind === 'rate';
  const overMean = !rate && f.meets?.mean === false;
  const softOver = !rate && f.meets?.mean == null && m.target_minutes != null && f.mean != null && f.mean > m.target_minutes;
  const judgement = verdict(f);
  return [
    el('td', { class: 'num' }, String(f.n)),
    el('td', { class: `num${overMean ? ' bad' : softOver ? ' warn' : ''}` }, rate ? '—' : num(f.mean)),
    el('td', { class: 'num' }, rate ? '—' : num(f.median)),
    el('td', { class: 'num' }, rate ? '—' : num(f.p90)),
    el('td', { class: `num${f.meets?.compliance === false ? ' bad' : ''}` }, pct(f.compliance),
      f.judged ? el('span', { class: 'muted small' }, ` (${f.met}/${f.judged})`) : null),
    el('td', { class: `num${f.outside_target ? ' warn' : ''}` }, String(f.outside_target ?? '—')),
    el('td', { class: `num${f.missing ? ' warn' : ''}` }, String(f.missing ?? '—')),
    el('td', { class: `verdict verdict-${judgement}` }, t(`reports.verdict.${judgement}`)),
  ];
}

/** The metrics table body: one group of rows per pathway. */
export function metricsRows(report, months, selected, onSelect, pathwayName) {
  const groups = new Map();
  for (const m of report.metrics) {
    if (!groups.has(m.pathway)) groups.set(m.pathway, []);
    groups.get(m.pathway).push(m);
  }
  return [...groups.entries()].map(([pathway, metrics]) => el('tbody', { dataset: { pathway } },
    el('tr', { class: 'group' }, el('th', { colspan: 11 }, el('span', { class: `pathway pathway-${pathway}` }, pathwayName(pathway)))),
    metrics.map((m) => el('tr', {
      class: `metric verdict-row-${verdict(m)}${metricKey(m) === selected ? ' selected' : ''}`,
      dataset: { metric: metricKey(m), verdict: verdict(m) },
    },
    el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link', onclick: () => onSelect(metricKey(m)) }, metricLabel(m))),
    el('td', { class: 'target-text' }, targetText(m)),
    figureCells(m, m),
    el('td', { class: 'spark' }, sparkline(m, months))))));
}

/** One metric's figures per facility. */
export function facilityRows(metric, facilityName) {
  return metric.by_facility.map((f) => el('tr', { dataset: { facilityId: f.facility_id || '' } },
    el('th', { scope: 'row' }, f.facility_id ? facilityName(f.facility_id, f) : t('reports.facility.unattributed')),
    figureCells(metric, f)));
}

/** The longest cases outside target of one metric. */
export function worstItems(metric, facilityName, openTimeline) {
  if (!metric.worst.length) return [el('li', { class: 'muted' }, t('reports.worst.none'))];
  return metric.worst.map((w) => el('li', {},
    el('button', { type: 'button', class: 'link', onclick: () => openTimeline(w.case_id) }, `#${w.case_id}`),
    ` ${t('reports.min', { v: num(w.minutes) })} / ${t('reports.min', { v: num(w.target_minutes, 0) })} · `,
    w.facility_id ? facilityName(w.facility_id) : t('reports.facility.unattributed'),
    el('span', { class: 'muted' }, ` · ${fmtDateTime(w.ref_at)}`)));
}

function findingText(finding, labels) {
  const [kind, subject] = finding.split(':');
  const milestone = t(`reports.milestone.${subject}`);
  const name = milestone !== `reports.milestone.${subject}` ? milestone : labels.get(subject) || subject;
  const key = `reports.finding.${kind}`;
  const text = t(key, { m: name });
  return text === key ? finding : text;
}

/**
 * One missed target of a case: the chip, and (an interval, not a rate) its delay reason, given
 * in place by those `delay.editable` allows.
 */
function outsideItem(c, i, labels, delay) {
  const chip = el('span', { class: 'chip bad' },
    `${labels.get(i.name) || i.name}${i.minutes !== null ? ` ${num(i.minutes)}/${num(i.target_minutes, 0)}` : ''}`);
  if (i.minutes === null) return chip;
  return el('div', { class: 'outside-item', dataset: { interval: i.name } }, chip,
    delayReasonView({ caseId: c.case_id, interval: i, ...delay }));
}

/**
 * How many of the case's judged targets were met; a tap on it lists the intervals met with
 * their minutes against the target (the missed ones have a column of their own).
 */
function metCell(c, judged, met, labels) {
  if (!judged.length) return '—';
  const count = `${met}/${judged.length}`;
  const timed = c.intervals.filter((i) => i.met === true && i.minutes !== null);
  if (!timed.length) return count;
  return el('details', { class: 'met-list' }, el('summary', {}, count),
    el('ul', {}, timed.map((i) => el('li', {},
      el('span', { class: 'chip ok', dataset: { interval: i.name } },
        `${labels.get(i.name) || i.name} ${num(i.minutes)}/${num(i.target_minutes, 0)}`)))));
}

/**
 * The case list (first `shown` rows); returns `{rows, left, total}`. `delay`: `{codes, limits,
 * editable, onSaved}` for the missed intervals' reasons (delay-reasons.js).
 */
export function caseRows(report, { outsideOnly, shown, facilityName, pathwayName, openTimeline, delay }) {
  const labels = new Map(report.metrics.map((m) => [m.name, metricLabel(m)]));
  const cases = (report.cases || []).filter((c) => !outsideOnly || c.intervals.some((i) => i.met === false));
  const rows = cases.slice(0, shown).map((c) => {
    const judged = c.intervals.filter((i) => i.met !== null);
    const met = judged.filter((i) => i.met).length;
    const outside = c.intervals.filter((i) => i.met === false);
    return el('tr', { dataset: { caseId: c.case_id } },
      el('td', {}, `#${c.case_id}`),
      el('td', {}, el('span', { class: `pathway pathway-${c.pathway}` }, pathwayName(c.pathway))),
      el('td', {}, c.facility_id ? facilityName(c.facility_id) : t('reports.facility.unattributed')),
      el('td', { class: 'nowrap' }, fmtDateTime(c.ref_at)),
      el('td', { class: `num${outside.length ? ' warn' : ''}` }, metCell(c, judged, met, labels)),
      el('td', { class: 'outside-list' }, outside.map((i) => outsideItem(c, i, labels, delay))),
      el('td', { class: 'findings' }, c.findings.length
        ? el('details', {}, el('summary', {}, String(c.findings.length)), el('ul', {}, c.findings.map((f) => el('li', {}, findingText(f, labels)))))
        : '—'),
      el('td', {}, el('button', { type: 'button', class: 'timeline-button', onclick: () => openTimeline(c.case_id) }, t('reports.cases.timeline'))));
  });
  return { rows, left: Math.max(0, cases.length - shown), total: cases.length };
}

export { PAGE };
