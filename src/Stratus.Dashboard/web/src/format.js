// Formatting shared by the views. A missing value shows as an em dash rather than "undefined" or "NaN".

export const DASH = '—';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export const num = (v, digits = 4) => (isNum(v) ? v.toFixed(digits) : DASH);

/** Very small p-values in exponent form, so 1e-12 does not read as 0.0000. */
export const pValue = (v) => (!isNum(v) ? DASH : v !== 0 && v < 0.001 ? v.toExponential(2) : v.toFixed(4));

export const percent = (v, digits = 1) => (isNum(v) ? `${(v * 100).toFixed(digits)} %` : DASH);

export const int = (v) => (isNum(v) ? Math.round(v).toLocaleString('en-US') : DASH);

export function dateTime(v) {
  if (!v) return DASH;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** Short time for chart axes: hours and minutes, with the day when the range spans days. */
export function axisTime(v, withDay) {
  const d = new Date(v);
  return d.toLocaleString('en-GB', withDay ? { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}

export const duration = (ms) => (!isNum(ms) ? DASH : ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`);

export const shortSha = (sha) => (sha ? sha.slice(0, 12) : DASH);

/** Parameters or metrics as "name=value" pairs, numbers to 4 significant digits (so 1e-7 does not read as 0). */
export const pairs = (obj) =>
  !obj || Object.keys(obj).length === 0
    ? DASH
    : Object.entries(obj).map(([k, v]) => `${k}=${isNum(v) ? Number(v.toPrecision(4)) : v}`).join(', ');

/** Metrics Stratus treats as lower-is-better (MetricNames.LowerIsBetter in Stratus.Core). */
export const lowerIsBetter = (metric) => ['logloss', 'rmse', 'mae'].includes(metric);
