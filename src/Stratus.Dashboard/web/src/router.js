// Hash routing: the page is served from one static path (/ui/), so the route lives after '#', e.g.
// #/models/iris/monitoring?version=2&hours=24. Each pattern segment ':name' captures one decoded path segment.

const routes = [];

export function route(pattern, view) {
  routes.push({ parts: pattern.split('/').filter(Boolean), view });
}

export function match(hash) {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const segments = path.split('/').filter(Boolean).map(safeDecode);
  const query = Object.fromEntries(new URLSearchParams(search));
  for (const { parts, view } of routes) {
    if (parts.length !== segments.length) continue;
    const params = {};
    if (parts.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = segments[i]), true) : p === segments[i]))) {
      return { view, params, query };
    }
  }
  return null;
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A hash for a route: each segment escaped, query entries with empty values left out. */
export function href(segments, query = {}) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v != null && v !== '')).toString();
  return '#/' + segments.map((s) => encodeURIComponent(String(s))).join('/') + (search ? `?${search}` : '');
}
