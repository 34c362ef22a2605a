// Percentiles and small formatting helpers.

/** Sorted copy of the numbers (a Float64Array sorts numerically). */
export function sorted(values) {
  const a = values instanceof Float64Array ? values.slice() : Float64Array.from(values);
  a.sort();
  return a;
}

/** Nearest-rank percentile of an already sorted array; NaN when empty. */
export function pct(sortedValues, p) {
  const n = sortedValues.length;
  if (n === 0) return NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sortedValues[rank];
}

/** p50/p90/p99/max (and mean) of a list of milliseconds, rounded to 0.01 ms. */
export function summary(values) {
  const s = sorted(values);
  const n = s.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  return {
    n,
    p50: r2(pct(s, 50)),
    p90: r2(pct(s, 90)),
    p99: r2(pct(s, 99)),
    max: r2(n ? s[n - 1] : NaN),
    mean: r2(n ? sum / n : NaN),
  };
}

export function r2(x) {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

export function r3(x) {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null;
}

/** Monotonic milliseconds, the same clock in every worker thread of this process. */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}
