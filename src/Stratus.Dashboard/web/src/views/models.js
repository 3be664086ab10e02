// #/models: every model with its aliases, its monitoring verdict, its latest alert and any running experiment.
import { h, heading, table, row } from '../dom.js';
import { getJson, mapLimit, seg, settle } from '../api.js';
import { href } from '../router.js';
import { DASH, dateTime } from '../format.js';
import { empty, verdictBadge } from '../widgets.js';

export async function modelsView(_params, _query, { signal }) {
  const [{ models = [] }, alerts] = await Promise.all([
    getJson('/api/models', { signal }),
    settle(getJson('/api/alerts', { signal })),
  ]);

  // Two calls per model, at most six in flight; a failure (e.g. monitoring of a model without tabular inputs) only
  // blanks that cell.
  const calls = models.flatMap((m) => [
    () => getJson(`/api/models/${seg(m.name)}/monitoring`, { signal }),
    () => getJson(`/api/models/${seg(m.name)}/experiments`, { signal }),
  ]);
  const results = await mapLimit(calls, 6, (call) => settle(call()));

  // /api/alerts lists newest first, so the first one seen per model is its latest.
  const latestAlert = new Map();
  for (const alert of alerts.value?.alerts ?? []) if (!latestAlert.has(alert.model)) latestAlert.set(alert.model, alert);

  const rows = models.map((m, i) => {
    const monitoring = results[2 * i];
    const experiments = results[2 * i + 1].value?.experiments ?? [];
    const running = experiments.find((e) => e.state === 'running');
    const alert = latestAlert.get(m.name);
    const monitoringLink = href(['models', m.name, 'monitoring']);
    return row({ 'data-model': m.name }, [
      h('a', { href: href(['models', m.name]) }, m.name),
      m.task ?? DASH,
      m.tier ?? DASH,
      m.aliases?.champion != null ? `v${m.aliases.champion}` : DASH,
      m.aliases?.challenger != null ? `v${m.aliases.challenger}` : DASH,
      monitoring.value
        ? h('a', { href: monitoringLink, class: 'badge-link', 'aria-label': `${m.name} monitoring: ${monitoring.value.verdict}` }, verdictBadge(monitoring.value.verdict))
        : h('span', { 'data-testid': 'verdict', title: monitoring.error?.message }, DASH),
      alert ? h('a', { href: monitoringLink }, `${alert.verdict} on v${alert.version}, ${dateTime(alert.raisedAt)}`) : DASH,
      running ? h('a', { href: href(['models', m.name, 'experiments', running.name]) }, `${running.name} (${running.mode ?? 'ab'})`) : DASH,
    ]);
  });

  return h('div', {},
    heading('Models'),
    models.length === 0
      ? empty('No models yet. Register one with POST /api/models, or train one with POST /api/models/{name}/train.')
      : table({ 'data-testid': 'models-table' },
        ['Model', 'Task', 'Tier', 'Champion', 'Challenger', 'Monitoring verdict', 'Latest alert', 'Running experiment'], rows),
    alerts.error ? h('p', { class: 'muted' }, `Alerts could not be read: ${alerts.error.message}`) : null);
}
