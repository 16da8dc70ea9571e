// Small inline SVG charts of a metric's monthly figures: the trend chart (mean and median in
// minutes against the target, or a rate's share against its target) and a sparkline.

import { pick, t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Every month 'YYYY-MM' from the first to the last (inclusive). */
export function monthsBetween(first, last) {
  const months = [];
  let [year, month] = first.split('-').map(Number);
  const [endYear, endMonth] = last.split('-').map(Number);
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months.slice(0, 60);
}

/** The series a metric is drawn with: `[{key, label, values, cls}]`, the target and the unit. */
function series(metric, months) {
  const byMonth = new Map(metric.by_month.map((m) => [m.month, m]));
  const value = (key, scale = 1) => months.map((m) => {
    const found = byMonth.get(m)?.[key];
    return found === null || found === undefined ? null : found * scale;
  });
  if (metric.kind === 'rate') {
    const target = metric.report_targets.rate_at_least;
    return {
      lines: [{ label: t('reports.trend.rate'), values: value('compliance', 100), cls: 'line-rate' }],
      target: target === null || target === undefined ? null : target * 100,
      unit: '%',
      floor: 100,
    };
  }
  const target = metric.report_targets.mean_below ?? metric.report_targets.mean_at_most ?? metric.target_minutes;
  return {
    lines: [
      { label: t('reports.trend.mean'), values: value('mean'), cls: 'line-mean' },
      { label: t('reports.trend.median'), values: value('median'), cls: 'line-median' },
    ],
    target,
    unit: t('reports.trend.minutes'),
    floor: 0,
  };
}

function niceMax(value) {
  if (value <= 0) return 10;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * step >= value) return factor * step;
  }
  return 10 * step;
}

function path(values, x, y) {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** The trend chart of one metric over `months` (an SVG element). */
export function trendChart(metric, months) {
  const width = 680;
  const height = 260;
  const pad = { left: 48, right: 36, top: 26, bottom: 54 };
  const { lines, target, unit, floor } = series(metric, months);
  const all = lines.flatMap((line) => line.values).filter((v) => v !== null);
  const top = niceMax(Math.max(floor, target ?? 0, ...all) * 1.1);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (months.length === 1 ? plotW / 2 : (i * plotW) / (months.length - 1));
  const y = (v) => pad.top + plotH - (v / top) * plotH;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'trend-chart', role: 'img', 'aria-label': t('reports.trend', { metric: pick(metric.label_zh, metric.label_en) }) });
  for (let k = 0; k <= 4; k += 1) {
    const v = (top * k) / 4;
    chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: pad.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, `${Number(v.toFixed(1))}`));
  }
  chart.append(svg('text', { x: pad.left + 4, y: pad.top - 10, class: 'axis' }, unit));
  const byMonth = new Map(metric.by_month.map((m) => [m.month, m]));
  months.forEach((month, i) => {
    chart.append(svg('text', { x: x(i), y: height - pad.bottom + 18, class: 'axis', 'text-anchor': 'middle' }, month));
    const found = byMonth.get(month);
    const note = found ? `n=${found.n}${metric.kind === 'interval' && found.compliance !== null ? ` · ${Math.round(found.compliance * 100)}%` : ''}` : t('reports.trend.none');
    chart.append(svg('text', { x: x(i), y: height - pad.bottom + 34, class: 'axis small', 'text-anchor': 'middle' }, note));
  });
  if (target !== null && target !== undefined) {
    chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(target), y2: y(target), class: 'target' }),
      svg('text', { x: width - pad.right, y: y(target) - 5, class: 'target-label', 'text-anchor': 'end' }, `${t('reports.trend.target')} ${target}`));
  }
  for (const line of lines) {
    chart.append(svg('path', { d: path(line.values, x, y), class: `series ${line.cls}` }));
    line.values.forEach((v, i) => {
      if (v === null) return;
      const over = target !== null && target !== undefined && (metric.kind === 'rate' ? v < target : v > target);
      chart.append(svg('circle', { cx: x(i), cy: y(v), r: 4.5, class: `dot ${line.cls}${over ? ' over' : ''}` },
        svg('title', {}, `${line.label} ${months[i]}: ${v.toFixed(1)} ${unit}`)));
    });
  }
  const legend = svg('g', { class: 'legend', transform: `translate(${pad.left}, ${height - 8})` });
  lines.forEach((line, i) => {
    legend.append(svg('line', { x1: i * 120, x2: i * 120 + 22, y1: -4, y2: -4, class: `series ${line.cls}` }),
      svg('text', { x: i * 120 + 28, y: 0, class: 'axis' }, line.label));
  });
  chart.append(legend);
  return chart;
}

/** A tiny line of the metric's monthly values with its target (an SVG element). */
export function sparkline(metric, months) {
  const width = 96;
  const height = 26;
  const { lines, target, floor } = series(metric, months);
  const values = lines[0].values;
  const present = values.filter((v) => v !== null);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'sparkline', 'aria-hidden': 'true' });
  if (!present.length) return chart;
  const top = Math.max(floor, target ?? 0, ...present) * 1.1 || 1;
  const x = (i) => 3 + (months.length === 1 ? (width - 6) / 2 : (i * (width - 6)) / (months.length - 1));
  const y = (v) => height - 3 - (v / top) * (height - 6);
  if (target !== null && target !== undefined) {
    chart.append(svg('line', { x1: 0, x2: width, y1: y(target), y2: y(target), class: 'target' }));
  }
  chart.append(svg('path', { d: path(values, x, y), class: 'series' }));
  values.forEach((v, i) => {
    if (v !== null) chart.append(svg('circle', { cx: x(i), cy: y(v), r: 2, class: 'dot' }));
  });
  return chart;
}
