// #/models/{name}/experiments/{experiment}: the readout per variant and against control, sample ratio check,
// the always-valid p-value as data arrived, and the admin's conclude.
import { h, heading, table, row } from '../dom.js';
import { api, getJson, seg } from '../api.js';
import { href } from '../router.js';
import { DASH, axisTime, dateTime, int, num, pValue, percent } from '../format.js';
import { chart, hatch, ALERT, DARK, MID } from '../charts.js';
import { askAdminKey } from '../admin.js';
import { badge, empty, errorBox, facts, section } from '../widgets.js';

export async function experimentView({ name, experiment }, _query, { signal, rerender }) {
  const path = `/api/models/${seg(name)}/experiments/${seg(experiment)}`;
  const view = await getJson(path, { signal });
  const e = view.experiment;
  const notices = h('div', { class: 'notices' });

  async function conclude() {
    const adminKey = await askAdminKey(`Conclude ${e.name}: apply its decision (${view.decision}) to ${name}'s champion alias.`);
    if (adminKey == null) return;
    notices.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Concluding…'));
    // Conclude what the admin confirmed: the variant the shown decision ships (control for "keep control"), not
    // whatever the readout says by the time the request lands.
    const shipped = view.decision === 'keep control' ? e.variants?.[0]?.name
      : view.decision?.startsWith('ship ') ? view.decision.slice('ship '.length) : undefined;
    try {
      await api(`${path}/conclude`, { method: 'POST', body: shipped ? { variant: shipped } : {}, adminKey });
      rerender();
    } catch (error) {
      notices.replaceChildren(errorBox(error)); // a 409 says why it cannot be concluded (its detail is shown)
    }
  }

  const srm = view.sampleRatio;
  return h('div', {},
    heading(`${name} / ${e.name}`),
    h('nav', { class: 'links', 'aria-label': 'Related pages' },
      h('a', { href: href(['models', name]) }, `Model ${name}`),
      h('a', { href: href(['models', name, 'monitoring']) }, 'Monitoring')),
    facts([
      ['State', e.state],
      ['Mode', e.mode],
      ['Metric', `${e.metric?.name} (${e.metric?.kind}, ${e.metric?.direction} is better)`],
      ['Minimum detectable effect', num(e.minimumDetectableEffect)],
      ['α / power', `${e.alpha} / ${e.power}`],
      ['Units needed per variant', view.unitsNeededPerVariant != null ? int(view.unitsNeededPerVariant) : DASH],
      ['Started', dateTime(e.startedAt)],
      e.endedAt ? ['Ended', dateTime(e.endedAt)] : null,
      ['Traffic', `${int(view.traffic?.outcomes)} outcomes, ${int(view.traffic?.unattributedOutcomes)} unattributed, ${int(view.traffic?.unassignedRequests)} requests without a unit`],
      ['Sequential test', `${view.sequential?.method ?? DASH}${view.sequential?.tuning ? ` (${view.sequential.tuning})` : ''}`],
    ]),
    h('p', { 'data-testid': 'decision', class: 'decision' }, h('strong', {}, `Decision: ${view.decision}`), ` — ${view.reason}`),
    h('p', {}, 'Sample ratio: ',
      h('span', { 'data-testid': 'srm', 'data-value': String(srm.mismatch), class: srm.mismatch ? 'badge badge-drift' : 'badge badge-ok' },
        `${srm.mismatch ? 'sample ratio mismatch' : 'no mismatch'} (p = ${pValue(srm.pValue)}, threshold ${srm.threshold})`)),
    e.conclusion ? h('p', { class: 'muted' }, `Concluded by ${e.conclusion.by} on ${dateTime(e.conclusion.at)}: ${e.conclusion.decision} — ${e.conclusion.reason}${e.conclusion.champion != null ? `; champion now v${e.conclusion.champion}` : ''}.`) : null,
    e.progress ? h('p', {}, `Canary: step ${e.progress.step + 1} of ${e.canary?.steps?.length ?? '?'} (${percent(e.canary?.steps?.[e.progress.step], 0)} of traffic), ${e.progress.status}${e.progress.reason ? ` — ${e.progress.reason}` : ''}.`) : null,
    e.note ? h('p', { class: 'muted' }, e.note) : null,
    notices,
    h('p', {}, h('button', { type: 'button', 'data-testid': 'conclude', onclick: conclude }, 'Conclude…')),
    section({ 'data-testid': 'variants' }, 'Variants', variants(view, signal)),
    section({ 'data-testid': 'comparisons' }, 'Against control', comparisons(view)),
    section({ 'data-testid': 'pvalue-history' }, 'Always-valid p-value over time', history(view, signal)),
    view.shadow ? section({ 'data-testid': 'shadow' }, 'Shadow runs', shadow(view.shadow)) : null);
}

function variants(view, signal) {
  const metric = view.experiment.metric?.name ?? 'metric';
  const list = view.variants ?? [];
  if (list.length === 0) return empty('No variants.');
  const withMean = list.filter((v) => v.mean != null);
  return h('div', {},
    withMean.length
      ? chart(`${metric} per unit for each variant: mean (diamond) with its 95 % interval (hatched bar)`, {
        type: 'bar',
        data: {
          labels: withMean.map((v) => v.name),
          datasets: [
            { type: 'line', label: 'Mean', data: withMean.map((v) => v.mean), showLine: false, pointStyle: 'rectRot', pointRadius: 8, borderColor: DARK, backgroundColor: DARK },
            { label: '95 % interval', data: withMean.map((v) => (v.interval ? [v.interval.lower, v.interval.upper] : null)), backgroundColor: hatch(), borderColor: '#333', borderWidth: 1, barPercentage: 0.4 },
          ],
        },
        options: { scales: { y: { title: { display: true, text: `${metric} per unit` } } } },
      }, signal)
      : empty('No outcomes yet: means appear once units convert or report values.'),
    table({ 'data-testid': 'variants-table' }, ['Variant', 'Version', 'Weight', 'Units', `Mean ${metric}`, '95 % interval', 'Calls', 'Errors', 'p50 / p99 latency', 'Monitoring'],
      list.map((v, i) => row({ 'data-variant': v.name }, [
        i === 0 && v.name !== 'control' ? `${v.name} (control)` : v.name,
        v.version != null ? `v${v.version}` : DASH,
        percent(v.weight, 0),
        int(v.units),
        num(v.mean),
        v.interval ? `${num(v.interval.lower)} – ${num(v.interval.upper)}` : DASH,
        int(v.calls?.calls),
        v.calls ? `${int(v.calls.errors)} (${percent(v.calls.errorRate, 2)})` : DASH,
        v.calls ? `${num(v.calls.p50Ms, 1)} / ${num(v.calls.p99Ms, 1)} ms` : DASH,
        v.performance ? `${v.performance.verdict}, ${int(v.performance.rows)} rows` : DASH,
      ]))));
}

/** A raw number in data-value (for tests and copying) with its rounded text. */
const value = (testid, v, digits = 4) =>
  h('span', { 'data-testid': testid, 'data-value': v == null ? '' : String(v) }, Number.isFinite(v) ? v.toFixed(digits) : DASH);

function comparisons(view) {
  const list = view.comparisons ?? [];
  if (list.length === 0) return empty('No comparisons: a comparison needs control and at least one more variant with outcomes.');
  return table({ 'data-testid': 'comparisons-table' }, ['Variant', 'Lift', `Lift interval (α = ${view.experiment.alpha})`, 'Relative lift', 'p-value', 'Always-valid p-value', 'Verdict'],
    list.map((c) => row({ 'data-variant': c.variant }, [
      c.variant,
      value('lift', c.lift),
      h('span', {}, value('lift-lower', c.liftInterval?.lower), ' – ', value('lift-upper', c.liftInterval?.upper)),
      c.relativeLift != null
        ? `${percent(c.relativeLift, 2)}${c.relativeLiftInterval ? ` (${percent(c.relativeLiftInterval.lower, 2)} – ${percent(c.relativeLiftInterval.upper, 2)})` : ''}`
        : DASH,
      h('span', { 'data-testid': 'p-value' }, pValue(c.pValue)),
      h('span', { 'data-testid': 'always-valid-p-value' }, pValue(c.alwaysValidPValue)),
      c.significant ? badge(c.better ? 'significantly better' : 'significantly worse', c.better ? 'ok' : 'drift') : badge('not significant', 'insufficient-data'),
    ])));
}

function history(view, signal) {
  const points = view.history ?? [];
  if (points.length === 0) return empty('Not enough data yet: the p-value history starts once outcomes arrive for control and a treatment.');
  const alpha = view.experiment.alpha ?? 0.05;
  const floor = 1e-12; // a log axis cannot show 0
  const clamp = (p) => (p == null ? null : Math.max(p, floor));
  const days = new Date(points.at(-1).at) - new Date(points[0].at) > 86400_000;
  return h('div', {},
    h('p', { class: 'muted' }, `${points[0].variant ?? 'The first treatment'} against control. The always-valid p-value may be read at every point; the fixed-horizon one only at the planned sample size.`),
    chart(`Always-valid p-value (solid) and fixed-horizon p-value (dotted) over time, with α = ${alpha} (dashed)`, {
      type: 'line',
      data: {
        labels: points.map((p) => axisTime(p.at, days)),
        datasets: [
          { label: 'Always-valid p-value', data: points.map((p) => clamp(p.alwaysValidPValue)), borderColor: DARK, backgroundColor: DARK, borderWidth: 2.5, pointRadius: 2 },
          { label: 'Fixed-horizon p-value', data: points.map((p) => clamp(p.pValue)), borderColor: MID, backgroundColor: MID, borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0 },
          { label: `α = ${alpha}`, data: points.map(() => alpha), borderColor: ALERT, borderDash: [8, 4], borderWidth: 1.5, pointRadius: 0 },
        ],
      },
      options: {
        scales: { y: { type: 'logarithmic', max: 1, title: { display: true, text: 'p-value (log scale)' } } },
        plugins: { tooltip: { callbacks: { afterTitle: (items) => `${int(points[items[0].dataIndex].units)} units` } } },
      },
    }, signal, { tall: true }));
}

function shadow(view) {
  return h('div', {},
    h('p', {}, `${int(view.dropped)} calls dropped because the shadow queue was full.`),
    table({}, ['Shadow', 'Version', 'Runs', 'Errors', 'p50 / p99 latency', 'Compared rows', 'Agreement', 'Mean abs. difference'],
      (view.variants ?? []).map((s) => row({ 'data-variant': s.name }, [
        s.name, s.version != null ? `v${s.version}` : DASH, int(s.calls?.calls), int(s.calls?.errors),
        `${num(s.calls?.p50Ms, 1)} / ${num(s.calls?.p99Ms, 1)} ms`, int(s.comparedRows), percent(s.agreement), num(s.meanAbsoluteDifference),
      ]))));
}
