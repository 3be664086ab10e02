// The app shell: keeps the header in step with the key, and renders the route in <main> whenever the hash changes.
import { h, heading } from './dom.js';
import { getKey, clearKey } from './api.js';
import { route, match } from './router.js';
import { errorBox } from './widgets.js';
import { keyForm } from './views/key.js';
import { modelsView } from './views/models.js';
import { modelView } from './views/model.js';
import { monitoringView } from './views/monitoring.js';
import { experimentView } from './views/experiment.js';
import { runView } from './views/run.js';

route('models', modelsView);
route('models/:name', modelView);
route('models/:name/monitoring', monitoringView);
route('models/:name/experiments/:experiment', experimentView);
route('runs/:id', runView);

const app = document.getElementById('app');
const changeKey = document.getElementById('change-key');
let current; // aborts the rendered route's fetches, polling and charts when another one renders

async function render() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { signal } = controller;
  changeKey.hidden = !getKey();

  if (!getKey()) return show(keyForm(render));

  const matched = match(location.hash || '#/models');
  if (!matched) {
    return show(h('div', {}, heading('Page not found'), h('p', {}, 'There is no page at this address. ', h('a', { href: '#/models' }, 'See all models'), '.')));
  }

  app.setAttribute('aria-busy', 'true');
  app.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const node = await matched.view(matched.params, matched.query, { signal, rerender: render });
    if (!signal.aborted) show(node);
  } catch (error) {
    if (!signal.aborted) show(h('div', {}, heading('Could not load this page'), errorBox(error)));
  }
}

function show(node) {
  app.replaceChildren(node);
  app.setAttribute('aria-busy', 'false');
  const title = app.querySelector('h1');
  document.title = title ? `${title.textContent} · Stratus` : 'Stratus';
  title?.focus();
}

changeKey.addEventListener('click', () => {
  clearKey();
  render();
});

// The skip link targets <main> without touching the hash, which holds the route.
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  (app.querySelector('h1') ?? app).focus();
});

window.addEventListener('hashchange', render);
render();
