// Small pieces of UI the views share: error alerts, badges and empty states.
import { h } from './dom.js';

/** An API or network error: the problem's title, its detail and the request id to quote. */
export function errorBox(error) {
  return h('div', { role: 'alert', class: 'error', 'data-testid': 'error' },
    h('strong', {}, error?.title ?? 'Something went wrong'),
    error?.detail || (!error?.title && error?.message) ? h('p', {}, error.detail ?? error.message) : null,
    error?.requestId ? h('p', { class: 'muted' }, `request id ${error.requestId}`) : null);
}

/**
 * A badge whose text says what it means; the classes give it a lightness (and border) that still reads in grey,
 * so colour is never the only signal.
 */
export const badge = (text, kind, attrs = {}) => h('span', { class: `badge badge-${kind}`, ...attrs }, text);

/** The monitoring verdict exactly as the API spells it: ok | warning | drift | insufficient-data (| degraded). */
export const verdictBadge = (verdict) =>
  verdict ? badge(verdict, verdict, { 'data-testid': 'verdict' }) : h('span', { 'data-testid': 'verdict' }, '—');

export const empty = (text) => h('p', { class: 'empty' }, text);

/** A titled section; `attrs` carries its test hooks. */
export const section = (attrs, title, ...children) => h('section', attrs, h('h2', {}, title), ...children);

/** A name-value list for a record's headline facts. */
export const facts = (entries) =>
  h('dl', { class: 'facts' }, entries.filter(Boolean).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
