// #/models/{name}: the card, its versions with their lineage, alias history, runs and experiments, and the admin
// moves of the champion alias (conditional on the ETag read here, so a concurrent change is never overwritten).
import { h, heading, table, row } from '../dom.js';
import { api, getJson, seg, settle } from '../api.js';
import { href } from '../router.js';
import { DASH, dateTime, pairs, shortSha } from '../format.js';
import { askAdminKey } from '../admin.js';
import { empty, errorBox, facts, section } from '../widgets.js';

export async function modelView({ name }, _query, { signal, rerender }) {
  const base = `/api/models/${seg(name)}`;
  const [{ data, etag }, runs, experiments] = await Promise.all([
    api(base, { signal }),
    settle(getJson(`/api/runs?model=${seg(name)}`, { signal })),
    settle(getJson(`${base}/experiments`, { signal })),
  ]);
  const { card, versions = [] } = data;
  const aliases = card.aliases ?? {};
  const champion = aliases.champion;
  const history = card.aliasHistory ?? [];
  const notices = h('div', { class: 'notices' });

  async function moveChampion(version, what) {
    const adminKey = await askAdminKey(`${what}: the champion alias of ${name} will point at v${version}.`);
    if (adminKey == null) return;
    if (!etag) {
      // Without the card's ETag the move could not be conditional: refuse rather than risk overwriting someone.
      notices.replaceChildren(h('div', { role: 'alert', class: 'error' }, 'The model came without an ETag; reload before changing it.'));
      return;
    }
    // One write at a time: a second click would meet the first one's change as "someone else's".
    const buttons = [...document.querySelectorAll('[data-testid^="promote-"], [data-testid="rollback"]')];
    buttons.forEach((b) => { b.disabled = true; });
    notices.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Saving…'));
    try {
      await api(`${base}/aliases/champion`, { method: 'PUT', body: { version }, adminKey, ifMatch: etag });
      rerender();
    } catch (error) {
      buttons.forEach((b) => { b.disabled = false; });
      // 412: the card changed since this page read it. Show it and let the user reload; never retry over it.
      notices.replaceChildren(...(error.status === 412
        ? [h('div', { role: 'alert', class: 'error', 'data-testid': 'conflict' }, 'This model was changed by someone else, reload to see the change.',
            error.requestId ? h('span', { class: 'muted' }, ` (request id ${error.requestId})`) : null),
          h('button', { type: 'button', 'data-testid': 'reload', onclick: () => rerender() }, 'Reload')]
        : [errorBox(error)]));
    }
  }

  // The latest champion move that replaced a version can be undone while that version still exists.
  const lastMove = history.filter((c) => c.alias === 'champion').at(-1);
  const rollbackTo = lastMove?.previous;
  const canRollBack = rollbackTo != null && rollbackTo !== champion && versions.some((v) => v.version === rollbackTo);

  const versionRows = [...versions].sort((a, b) => b.version - a.version).map((v) => {
    const lineage = v.lineage ?? {};
    const pointing = Object.entries(aliases).filter(([, n]) => n === v.version).map(([alias]) => alias);
    return row({ 'data-version': v.version }, [
      h('span', {}, `v${v.version}`, lineage.source && lineage.source !== 'training' ? h('span', { class: 'muted' }, ` (${lineage.source})`) : null),
      pointing.length ? pointing.join(', ') : DASH,
      dateTime(v.createdAt),
      lineage.datasetName || lineage.datasetSha256
        ? h('span', {}, lineage.datasetName ?? '', ' ', lineage.datasetSha256 ? h('code', { title: lineage.datasetSha256 }, shortSha(lineage.datasetSha256)) : null)
        : DASH,
      lineage.algorithm ?? DASH,
      pairs(lineage.parameters),
      lineage.seed ?? DASH,
      lineage.codeVersion ? h('code', { title: lineage.codeVersion }, lineage.codeVersion.replace(/\+(\w{8})\w*$/, '+$1')) : DASH,
      pairs(v.metrics),
      v.version === champion
        ? 'champion'
        : h('button', { type: 'button', 'data-testid': `promote-${v.version}`, onclick: () => moveChampion(v.version, 'Make champion') }, 'Make champion'),
    ]);
  });

  return h('div', {},
    heading(card.name),
    card.description ? h('p', { class: 'lead' }, card.description) : null,
    h('nav', { class: 'links', 'aria-label': 'Model pages' },
      h('a', { href: href(['models', name, 'monitoring']) }, 'Monitoring')),
    facts([
      ['Task', card.task ?? DASH],
      ['Tier', card.tier + (card.cpuFallback ? ' (CPU fallback)' : '')],
      ['Business objective', card.businessObjective ?? DASH],
      ['Business metric', card.businessMetric ?? DASH],
      ['ML metric', card.mlMetric ?? DASH],
      ['Champion', champion != null ? `v${champion}` : DASH],
      ['Challenger', aliases.challenger != null ? `v${aliases.challenger}` : DASH],
      ['Retraining', card.retraining ? (card.retraining.enabled === false ? 'disabled' : 'scheduled') : 'none'],
    ]),
    notices,
    section({ 'data-testid': 'versions' }, 'Versions',
      canRollBack
        ? h('p', {}, h('button', { type: 'button', 'data-testid': 'rollback', onclick: () => moveChampion(rollbackTo, 'Roll back') }, `Roll back to v${rollbackTo}`))
        : null,
      versions.length === 0
        ? empty('No versions yet: train one (POST /api/models/{name}/train) or upload one.')
        : table({ 'data-testid': 'versions-table' },
          ['Version', 'Aliases', 'Created', 'Dataset', 'Algorithm', 'Parameters', 'Seed', 'Code version', 'Metrics', 'Action'], versionRows)),
    section({ 'data-testid': 'alias-history' }, 'Alias history',
      history.length === 0
        ? empty('No alias changes recorded.')
        : table({}, ['When', 'Alias', 'Now', 'Before'], [...history].reverse().map((c) =>
          row({}, [dateTime(c.at), c.alias, c.version == null ? 'removed' : `v${c.version}`, c.previous == null ? DASH : `v${c.previous}`])))),
    section({ 'data-testid': 'runs' }, 'Training runs', runsList(runs)),
    section({ 'data-testid': 'experiments' }, 'Experiments', experimentsList(name, experiments)));
}

function runsList({ value, error }) {
  if (error) return errorBox(error);
  const runs = value?.runs ?? [];
  if (runs.length === 0) return empty('No training runs.');
  return table({}, ['Run', 'Status', 'Started', 'Last update', 'Stage'],
    [...runs].sort((a, b) => String(b.createdTime).localeCompare(String(a.createdTime))).map((r) => row({ 'data-run': r.id }, [
      h('a', { href: href(['runs', r.id]) }, r.id),
      r.runtimeStatus,
      dateTime(r.createdTime),
      dateTime(r.lastUpdatedTime),
      r.customStatus?.stage ? `${r.customStatus.stage} (${r.customStatus.done ?? 0}/${r.customStatus.total ?? '?'})` : DASH,
    ])));
}

function experimentsList(name, { value, error }) {
  if (error) return errorBox(error);
  const experiments = value?.experiments ?? [];
  if (experiments.length === 0) return empty('No experiments. Start one with PUT /api/models/{name}/experiments/{experiment}.');
  return table({}, ['Experiment', 'Mode', 'State', 'Variants', 'Started', 'Ended'], experiments.map((e) => row({ 'data-experiment': e.name }, [
    h('a', { href: href(['models', name, 'experiments', e.name]) }, e.name),
    e.mode ?? DASH,
    e.state ?? DASH,
    (e.variants ?? []).map((v) => `${v.name}${v.version != null ? ` (v${v.version})` : ''}`).join(', ') || DASH,
    dateTime(e.startedAt),
    e.endedAt ? dateTime(e.endedAt) : DASH,
  ])));
}
