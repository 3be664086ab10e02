// #/runs/{id}: a training run's progress (re-polled every 2 s while it runs), then its leaderboard, the comparison
// with the champion and the promotion decision.
import { h, heading, table, row } from '../dom.js';
import { getJson, seg } from '../api.js';
import { href } from '../router.js';
import { DASH, dateTime, duration, lowerIsBetter, num, pairs } from '../format.js';
import { badge, empty, errorBox, facts, section } from '../widgets.js';

const POLL_MS = 2000;
const active = (run) => run.runtimeStatus === 'Running' || run.runtimeStatus === 'Pending';

export async function runView({ id }, _query, { signal }) {
  const url = `/api/runs/${seg(id)}`;
  const run = await getJson(url, { signal });
  const body = h('div', { 'aria-live': 'polite' }); // progress is announced as it changes
  const pollError = h('div', {});
  let metric; // the spec's metric, looked up once the run has an output

  async function show(r) {
    if (r.output?.candidates && metric === undefined) metric = await specMetric(r.output, signal);
    body.replaceChildren(runBody(r, metric));
  }

  // Polls until the run ends or the route changes (the signal aborts the sleep and the fetch).
  async function poll(r) {
    while (active(r) && !signal.aborted) {
      await sleep(POLL_MS, signal);
      if (signal.aborted) return;
      try {
        r = await getJson(url, { signal });
        pollError.replaceChildren();
        await show(r);
      } catch (error) {
        if (signal.aborted) return;
        pollError.replaceChildren(errorBox(error));
        if (error.status >= 400 && error.status < 500) return; // a wrong key or a vanished run will not heal by asking again
      }
    }
  }

  await show(run);
  poll(run);
  return h('div', {}, heading(`Run ${id}`), pollError, body);
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const onAbort = () => { clearTimeout(timer); resolve(); };
  const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  signal.addEventListener('abort', onAbort, { once: true });
});

/** The metric the run ranked candidates by: the registered version's resolved spec, else the card's, else the first. */
async function specMetric(output, signal) {
  try {
    const { card, versions = [] } = await getJson(`/api/models/${seg(output.model)}`, { signal });
    const version = versions.find((v) => v.version === output.version);
    return version?.lineage?.spec?.metric ?? card.retraining?.spec?.objective?.metric ?? card.mlMetric ?? firstMetric(output);
  } catch {
    return firstMetric(output);
  }
}

const firstMetric = (output) => Object.keys(output.best?.metrics ?? output.candidates?.find((c) => c.metrics)?.metrics ?? {})[0] ?? null;

function runBody(run, metric) {
  const status = run.customStatus ?? {};
  const output = run.output;
  return h('div', {},
    facts([
      ['Status', run.runtimeStatus],
      ['Orchestration', run.name ?? DASH],
      ['Started', dateTime(run.createdTime)],
      ['Last update', dateTime(run.lastUpdatedTime)],
      status.stage ? ['Stage', `${status.stage}${status.total != null ? ` (${status.done ?? 0} of ${status.total} candidates${status.failed ? `, ${status.failed} failed` : ''})` : ''}`] : null,
      output?.model ? ['Model', h('a', { href: href(['models', output.model]) }, output.model)] : null,
    ]),
    active(run) ? progressBar(status) : null,
    run.failure ? h('div', { role: 'alert', class: 'error' }, h('strong', {}, 'The run failed'), h('p', {}, run.failure)) : null,
    output?.candidates ? trainingOutput(output, metric)
      : output != null ? section({}, 'Output', h('pre', {}, JSON.stringify(output, null, 2)))
        : active(run) ? null : empty('This run has no output.'));
}

function progressBar({ stage, done, total }) {
  const known = Number.isFinite(total) && total > 0;
  return h('div', { class: 'progress' },
    h('label', { for: 'run-progress' }, known ? `${stage ?? 'running'}: ${done ?? 0} of ${total} candidates trained` : 'Starting…'),
    h('progress', { id: 'run-progress', max: known ? total : undefined, value: known ? done ?? 0 : undefined }));
}

function trainingOutput(output, metric) {
  const score = (c) => c.metrics?.[metric];
  const sign = lowerIsBetter(metric) ? 1 : -1;
  // Best first; failed candidates and those without the metric last.
  const ranked = [...output.candidates].sort((a, b) =>
    (score(a) == null) - (score(b) == null) || (score(a) == null ? 0 : sign * (score(a) - score(b))));
  const bestKey = output.best ? key(output.best) : null;

  const leaderboard = table({ 'data-testid': 'leaderboard' },
    ['Rank', 'Algorithm', 'Parameters', metric ?? 'Metric', 'Other metrics', 'Training time'],
    ranked.map((c, i) => {
      const best = key(c) === bestKey;
      const others = Object.fromEntries(Object.entries(c.metrics ?? {}).filter(([k]) => k !== metric));
      return row({ 'data-algorithm': c.algorithm, 'data-best': best ? 'true' : null, class: best ? 'best' : null }, [
        String(i + 1),
        h('span', {}, c.algorithm, best ? [' ', badge('best', 'ok')] : null),
        pairs(c.params),
        c.error ? h('span', { class: 'muted' }, `failed: ${c.error}`) : num(score(c)),
        pairs(others),
        duration(c.durationMs),
      ]);
    }));

  return h('div', {},
    h('p', { 'data-testid': 'promotion', class: 'promotion' },
      h('strong', {}, `Promoted: ${output.promoted ? 'yes' : 'no'}`),
      output.version != null ? ['. Registered as ', h('a', { href: href(['models', output.model]) }, `v${output.version}`)] : null,
      `, alias: ${output.alias ?? 'none'}.`,
      output.reason ? ` Reason: ${output.reason}.` : ''),
    section({}, 'Leaderboard', h('p', { class: 'muted' }, `Ranked by ${metric ?? 'the spec metric'} (${lowerIsBetter(metric) ? 'lower' : 'higher'} is better).`), leaderboard),
    section({ 'data-testid': 'champion-comparison' }, 'Against the champion', championComparison(output, metric)));
}

/** Candidates are told apart by algorithm and parameters (best is a copy of one of them). */
const key = (c) => `${c.algorithm}|${JSON.stringify(Object.entries(c.params ?? {}).sort(([a], [b]) => a.localeCompare(b)))}`;

function championComparison(output, metric) {
  const champion = output.champion;
  if (!champion) return empty('No champion to compare with: this model had none when the run finished.');
  const names = [...new Set([metric, ...Object.keys(output.best?.metrics ?? {}), ...Object.keys(champion.metrics ?? {})])].filter(Boolean);
  return h('div', {},
    champion.note ? h('p', { class: 'muted' }, champion.note) : null,
    table({}, ['Metric', `This run (v${output.version ?? '?'})`, `Champion (v${champion.version})`],
      names.map((m) => row({}, [m, num(output.best?.metrics?.[m]), num(champion.metrics?.[m])]))));
}
