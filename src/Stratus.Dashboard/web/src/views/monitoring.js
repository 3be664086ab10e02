// #/models/{name}/monitoring?version=&hours=: one window's drift per feature and output, the performance estimate
// over time (the window cut into 12 buckets, each its own report), and the model's alerts.
import { h, heading, table, row } from '../dom.js';
import { getJson, mapLimit, seg, settle } from '../api.js';
import { href } from '../router.js';
import { DASH, axisTime, dateTime, int, num, pValue, percent } from '../format.js';
import { chart, histogramChart, DARK, LIGHT, MID } from '../charts.js';
import { badge, empty, errorBox, facts, section, verdictBadge } from '../widgets.js';

const BUCKETS = 12;
const WINDOWS = [1, 6, 24, 72, 168, 720];

export async function monitoringView({ name }, query, { signal }) {
  const hours = Number(query.hours) > 0 ? Number(query.hours) : 24;
  const version = /^\d+$/.test(query.version ?? '') ? query.version : '';
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600_000);
  const base = `/api/models/${seg(name)}`;
  const reportUrl = (f, t) => `${base}/monitoring?${new URLSearchParams({ ...(version && { version }), from: f.toISOString(), to: t.toISOString() })}`;

  const [report, model, alerts] = await Promise.all([
    getJson(reportUrl(from, to), { signal }),
    settle(getJson(base, { signal })),
    settle(getJson(`${base}/alerts`, { signal })),
  ]);
  const card = model.value?.card;

  const metrics = [...new Set([...Object.keys(report.estimated ?? {}), ...Object.keys(report.reference?.metrics ?? {}), ...Object.keys(report.realized?.metrics ?? {})])];
  const metric = metrics.includes(card?.mlMetric) ? card.mlMetric : Object.keys(report.estimated ?? {})[0] ?? metrics[0];

  const series = section({ 'data-testid': 'metric-series', 'aria-busy': 'true' }, 'Performance over time', h('p', { class: 'loading' }, 'Loading…'));
  if (metric && report.reference) {
    loadSeries(series, { reportUrl, from, to, hours, metrics, metric, signal });
  } else {
    series.setAttribute('aria-busy', 'false');
    series.lastChild.replaceWith(empty('No performance metrics to plot: the version needs a reference with metrics.'));
  }

  return h('div', {},
    heading(`${name} monitoring`),
    windowForm(name, model.value?.versions ?? [], version, hours),
    h('div', { class: 'verdict-line' }, 'Verdict ', verdictBadge(report.verdict)),
    report.reasons?.length ? h('ul', { class: 'reasons', 'data-testid': 'reasons' }, report.reasons.map((r) => h('li', {}, r))) : null,
    facts([
      ['Version', `v${report.version}`],
      ['Window', `${dateTime(report.from)} – ${dateTime(report.to)}`],
      ['Rows', int(report.rows)],
      ['Reference', report.reference ? `${report.reference.source}, ${int(report.reference.rows)} rows, ${dateTime(report.reference.createdAt)}` : 'none'],
      ['Drifted features', `${percent(report.driftShare, 0)} (dataset drift: ${report.datasetDrift ? 'yes' : 'no'})`],
      ['Performance estimate', report.estimation?.available ? `${report.estimation.method} on ${int(report.estimation.rows)} rows` : `unavailable${report.estimation?.reason ? `: ${report.estimation.reason}` : ''}`],
      ['Labelled rows', int(report.realized?.rows)],
    ]),
    report.rows === 0 ? empty('No traffic yet: no predictions were logged for this version in this window.') : null,
    report.reference == null
      ? empty(`No reference for this version: upload one with PUT /api/models/${name}/versions/${report.version}/reference (text/csv)`)
      : null,
    estimatesTable(report),
    section({ 'data-testid': 'features' }, 'Feature drift',
      report.features?.length
        ? [...report.features].sort((a, b) => b.psi - a.psi).map((f) => driftSection(f, signal))
        : empty('No feature drift to show for this window.')),
    section({ 'data-testid': 'outputs' }, 'Output distribution',
      report.outputs?.length
        ? [...report.outputs].sort((a, b) => b.psi - a.psi).map((f) => driftSection(f, signal))
        : empty('No output distribution to show for this window.')),
    series,
    section({ 'data-testid': 'alerts' }, 'Alerts', alertsList(alerts)));
}

/** Version and window pickers; applying them changes the hash, so the choice is a link like any other. */
function windowForm(name, versions, version, hours) {
  const versionSelect = h('select', { id: 'monitor-version' },
    h('option', { value: '' }, 'champion'),
    [...versions].sort((a, b) => b.version - a.version).map((v) => h('option', { value: String(v.version), selected: String(v.version) === version }, `v${v.version}`)));
  const hoursSelect = h('select', { id: 'monitor-hours' },
    [...new Set([...WINDOWS, hours])].sort((a, b) => a - b).map((n) => h('option', { value: String(n), selected: n === hours }, n < 48 ? `last ${n} h` : `last ${n / 24} days`)));
  return h('form', {
    class: 'inline-form',
    onsubmit: (event) => {
      event.preventDefault();
      location.hash = href(['models', name, 'monitoring'], { version: versionSelect.value, hours: hoursSelect.value });
    },
  },
  h('label', { for: 'monitor-version' }, 'Version'), versionSelect,
  h('label', { for: 'monitor-hours' }, 'Window'), hoursSelect,
  h('button', { type: 'submit' }, 'Show'));
}

function estimatesTable(report) {
  const entries = Object.entries(report.estimated ?? {});
  if (entries.length === 0) return null;
  return table({ 'data-testid': 'estimated' }, ['Metric', 'Estimate', 'Band (± 3 SE)', 'Reference', 'Realized', 'Alert'],
    entries.map(([metric, e]) => row({ 'data-metric': metric }, [
      metric, num(e.value), `${num(e.lower)} – ${num(e.upper)}`, num(e.reference),
      e.realized != null ? `${num(e.realized)} (${int(e.realizedRows)} rows)` : num(report.realized?.metrics?.[metric]),
      e.alert ? badge('alert', 'drift') : 'no',
    ])));
}

/** One feature's (or output's) drift: PSI, the test, the verdict and the reference-vs-live histogram. */
function driftSection(f, signal) {
  const [label, kind] = f.drifted ? ['drifted', 'drift'] : f.insufficientData ? ['insufficient data', 'insufficient-data'] : ['no drift', 'ok'];
  return h('section', { class: 'feature', 'data-feature': f.feature },
    h('h3', {}, f.feature, ' ', badge(label, kind, { 'data-testid': 'drifted', 'data-value': String(Boolean(f.drifted)) })),
    h('p', { class: 'stats' },
      h('span', {}, f.kind),
      h('span', {}, 'PSI ', h('span', { 'data-testid': 'psi', 'data-value': String(f.psi) }, Number.isFinite(f.psi) ? f.psi.toFixed(3) : String(f.psi))),
      h('span', {}, `${f.test} statistic ${num(f.statistic)}`),
      h('span', {}, `p ${pValue(f.pValue)}`)),
    f.histogram?.bins?.length
      ? [histogramChart(f.feature, f.histogram, signal), histogramTable(f.histogram)]
      : h('p', { class: 'muted' }, 'No histogram in this report.'));
}

const histogramTable = (hist) =>
  h('details', {}, h('summary', {}, 'Shares per bin'),
    table({}, ['Bin', 'Reference', 'Live'], hist.bins.map((bin, i) => row({}, [bin, percent(hist.reference[i]), percent(hist.live[i])]))));

/** Fetches the window's 12 bucket reports (4 at a time) and plots the chosen metric across them. */
async function loadSeries(container, { reportUrl, from, to, hours, metrics, metric, signal }) {
  const step = (to - from) / BUCKETS;
  const edges = Array.from({ length: BUCKETS }, (_, i) => [new Date(from.getTime() + i * step), new Date(from.getTime() + (i + 1) * step)]);
  const results = await mapLimit(edges, 4, ([f, t]) => settle(getJson(reportUrl(f, t), { signal })));
  if (signal.aborted) return;
  container.setAttribute('aria-busy', 'false');

  const failed = results.find((r) => r.error);
  const body = h('div', {});
  const picker = h('select', { id: 'series-metric', onchange: () => draw(picker.value) },
    metrics.map((m) => h('option', { value: m, selected: m === metric }, m)));
  container.lastChild.replaceWith(h('div', {},
    failed ? errorBox(failed.error) : null,
    h('p', { class: 'inline-form' }, h('label', { for: 'series-metric' }, 'Metric'), picker),
    body));

  let drawn; // aborting it destroys the chart drawn for the previous metric
  function draw(m) {
    drawn?.abort();
    drawn = new AbortController();
    signal.addEventListener('abort', () => drawn.abort(), { once: true });
    body.replaceChildren(seriesChart(m, edges, results.map((r) => r.value), hours > 24, drawn.signal));
  }
  draw(metric);
}

function seriesChart(metric, edges, reports, withDay, signal) {
  if (reports.every((r) => !r || r.rows === 0)) return empty('No traffic yet: no bucket of this window has predictions.');
  const points = reports.map((r) => {
    const e = r?.estimated?.[metric];
    return {
      value: e?.value ?? null,
      lower: e?.lower ?? null,
      upper: e?.upper ?? null,
      realized: e?.realized ?? r?.realized?.metrics?.[metric] ?? null,
      reference: e?.reference ?? r?.reference?.metrics?.[metric] ?? null,
      rows: r?.rows ?? 0,
    };
  });
  const reference = points.find((p) => p.reference != null)?.reference ?? null;
  const labels = edges.map(([, t]) => axisTime(t, withDay));
  const hasEstimate = points.some((p) => p.value != null);

  return h('div', {},
    hasEstimate ? null : empty(`No estimate of ${metric} in any bucket (too few rows, or estimation unavailable); realized values show where labels arrived.`),
    chart(`${metric} per bucket: estimate (solid) with its ± 3 SE band (grey), realized (triangles), reference (dashed)`, {
      type: 'line',
      data: {
        labels,
        datasets: [
          // The band: its upper edge fills down to the next dataset, its lower edge (kept out of the legend).
          { label: '± 3 SE', data: points.map((p) => p.upper), borderWidth: 0, pointRadius: 0, pointStyle: 'rect', backgroundColor: LIGHT, fill: '+1' },
          { label: 'lower', data: points.map((p) => p.lower), borderWidth: 0, pointRadius: 0, fill: false },
          { label: `Estimated ${metric}`, data: points.map((p) => p.value), borderColor: DARK, backgroundColor: DARK, borderWidth: 2.5, pointRadius: 3 },
          { label: `Realized ${metric}`, data: points.map((p) => p.realized), showLine: false, pointStyle: 'triangle', pointRadius: 6, borderColor: '#000', backgroundColor: '#000' },
          { label: `Reference ${metric}`, data: points.map(() => reference), borderColor: MID, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointStyle: 'line' },
        ],
      },
      options: {
        spanGaps: false,
        scales: { y: { title: { display: true, text: metric } }, x: { title: { display: true, text: 'bucket end' } } },
        plugins: {
          filler: { drawTime: 'beforeDatasetsDraw' }, // the band under every line, not over the ones drawn before it
          legend: { labels: { usePointStyle: true, filter: (item) => item.text !== 'lower' } },
        },
      },
    }, signal, { tall: true }),
    h('details', {}, h('summary', {}, 'Values per bucket'),
      table({}, ['Bucket end', 'Rows', 'Estimate', 'Band (± 3 SE)', 'Realized', 'Reference'], points.map((p, i) =>
        row({}, [dateTime(edges[i][1]), int(p.rows), num(p.value), p.lower != null ? `${num(p.lower)} – ${num(p.upper)}` : DASH, num(p.realized), num(p.reference)])))));
}

function alertsList({ value, error }) {
  if (error) return errorBox(error);
  const alerts = value?.alerts ?? [];
  if (alerts.length === 0) return empty('No alerts for this model.');
  return table({}, ['Raised', 'Version', 'Verdict', 'Window', 'Signals', 'Actions', 'Note'], alerts.slice(0, 50).map((a) => row({ 'data-alert': a.id }, [
    dateTime(a.raisedAt),
    `v${a.version}`,
    badge(a.verdict, a.verdict),
    `${dateTime(a.from)} – ${dateTime(a.to)}`,
    (a.signals ?? []).map((s) => `${s.signal}${s.feature ? ` of ${s.feature}` : ''} ${num(s.value, 3)} vs ${num(s.threshold, 3)}`).join('; ') || DASH,
    h('span', {}, (a.actions ?? []).join(', ') || DASH, a.retrainRunId ? [' ', h('a', { href: href(['runs', a.retrainRunId]) }, 'retrain run')] : null),
    a.note ?? DASH,
  ])));
}
