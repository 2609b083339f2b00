// Number and time formatting for the dashboard: thousands separators and compact units (12.3k, 1.2M).

export function thousands(v: number): string {
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(v));
}

/** Dollars: whole above $100, cents below, or as many decimals as asked. */
export function usd(v: number, decimals?: number): string {
  if (decimals !== undefined) return `$${v.toFixed(decimals)}`;
  if (v >= 1000) return `$${thousands(v)}`;
  return `$${v.toFixed(v >= 100 ? 0 : 2)}`;
}

export function duration(ms: number): string {
  const m = Math.max(Math.round(ms / 60_000), 0);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m`;
}

/** A time in the chosen zone: the browser's or UTC; with seconds when asked. */
export function clock(ts: number, utc: boolean, withSeconds = false): string {
  const d = new Date(ts);
  const p = (x: number) => String(x).padStart(2, '0');
  const hm = `${p(utc ? d.getUTCHours() : d.getHours())}:${p(utc ? d.getUTCMinutes() : d.getMinutes())}`;
  return withSeconds ? `${hm}:${p(utc ? d.getUTCSeconds() : d.getSeconds())}` : hm;
}
