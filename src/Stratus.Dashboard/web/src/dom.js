// A tiny element helper: h('a', { href: '#/x', class: 'y' }, 'text', child). Text is always set as text, never as
// HTML, so API strings cannot inject markup.

// The only properties set as properties (a progress bar's value, a button's disabled); everything else is an
// attribute, so no key can reach innerHTML or an event handler by accident.
const PROPERTIES = new Set(['value', 'max', 'disabled', 'checked', 'selected', 'open']);

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (PROPERTIES.has(key) && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The route's heading: focused after each render so screen readers and keyboard users start at the new content. */
export const heading = (...children) => h('h1', { tabindex: '-1' }, ...children);

/** A table from column headings and rows of cells (a cell is a node, a string, or an array of them). */
export function table(attrs, columns, rows) {
  // Wide tables scroll sideways: the container takes focus so keyboard users can scroll it too.
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': attrs?.['aria-label'] ?? 'Scrollable table' },
    h('table', attrs,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

export const row = (attrs, cells) => h('tr', attrs, cells.map((c) => h('td', {}, c)));
