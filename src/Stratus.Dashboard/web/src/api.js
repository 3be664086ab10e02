// The API client: same-origin JSON, the function key from sessionStorage on every call (so it ends with the tab),
// and RFC 9457 problems turned into ApiError.

const KEY_STORAGE = 'stratus.functionKey';

export const getKey = () => sessionStorage.getItem(KEY_STORAGE);
export const setKey = (key) => sessionStorage.setItem(KEY_STORAGE, key);
export const clearKey = () => sessionStorage.removeItem(KEY_STORAGE);

/** A failed call: the problem's title and detail, its status and the request id to quote when reporting it. */
export class ApiError extends Error {
  constructor({ title, detail, status, requestId, type, instance }) {
    super(detail ? `${title}: ${detail}` : title);
    Object.assign(this, { title, detail, status, requestId, type, instance });
  }
}

/**
 * Calls the API and resolves to { data, etag, status }. `adminKey` replaces the function key for this one request
 * (admin routes) and is never kept; `ifMatch` makes a write conditional on the ETag the page read.
 */
export async function api(path, { method = 'GET', body, adminKey, ifMatch, signal } = {}) {
  const headers = { accept: 'application/json', 'x-functions-key': adminKey ?? getKey() ?? '' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch) headers['if-match'] = ifMatch;

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError({ title: 'Network error', detail: `Could not reach the Stratus API (${error.message}).`, status: 0 });
  }

  const requestId = response.headers.get('x-request-id') ?? undefined;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): fall through with the raw text as the detail.
  }

  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : {};
    throw new ApiError({
      title: problem.title ?? `${response.status} ${response.statusText || 'error'}`,
      detail: problem.detail ?? (data ? undefined : text.slice(0, 300) || undefined),
      status: response.status,
      requestId: problem.requestId ?? requestId,
      type: problem.type,
      instance: problem.instance,
    });
  }

  return { data, etag: response.headers.get('etag'), status: response.status };
}

/** GET and keep only the body. */
export const getJson = async (path, options) => (await api(path, options)).data;

/** A path segment, escaped: model and experiment names come from the API and the URL. */
export const seg = encodeURIComponent;

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of the results. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Settles a promise into { value } or { error } so one failed call does not fail a whole page. */
export const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
