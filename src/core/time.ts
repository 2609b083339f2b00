// Calendar keys in a time zone: an IANA name, or LOCAL_ZONE for the process's own zone. Reports group by these
// strings, so ordering them as text orders them in time. The local zone and UTC need no ICU time zone data, whose
// loading costs a report ~20 ms; other zones go through Intl.

export class DateArgError extends Error {}

const isUtc = (tz: string) => tz === 'UTC' || tz === 'Etc/UTC';

/** Accepts YYYY-MM-DD or YYYYMMDD and returns YYYY-MM-DD. */
export function parseDateArg(value: string, flag: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  if (!m) throw new DateArgError(`${flag}: expected a date as YYYY-MM-DD or YYYYMMDD, got "${value}"`);
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = date.toISOString().slice(0, 10);
  if (iso !== `${y}-${mo}-${d}`) throw new DateArgError(`${flag}: "${value}" is not a calendar date`);
  return iso;
}

/** The process's own zone (TZ, else the system's), read through Date rather than Intl. */
export const LOCAL_ZONE = 'local';

export function assertTimeZone(tz: string): string {
  if (isUtc(tz) || tz === LOCAL_ZONE) return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new DateArgError(`--tz: unknown time zone "${tz}" (expected an IANA name such as Europe/Berlin or UTC)`);
  }
}

/** Every zone's offset is a multiple of 15 minutes, so all instants of one quarter hour share a calendar day. */
export const QUARTER_HOUR_MS = 15 * 60 * 1000;

/** The zone's offset from UTC (ms) at an instant. */
function offsetFunction(timeZone: string): (ts: number) => number {
  if (isUtc(timeZone)) return () => 0;
  if (timeZone === LOCAL_ZONE) return (ts) => -new Date(ts).getTimezoneOffset() * 60_000;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return (ts) => {
    const p = fmt.formatToParts(new Date(ts));
    const get = (t: string) => Number(p.find((x) => x.type === t)?.value ?? 0);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
    return local - Math.floor(ts / 1000) * 1000;
  };
}

export class DayKeyer {
  private offset: ((ts: number) => number) | undefined;
  private readonly memo = new Map<number, string>();

  constructor(readonly timeZone: string) {}

  /** YYYY-MM-DD of the instant in this zone. */
  day(ts: number): string {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    let key = this.memo.get(quarter);
    if (key === undefined) {
      // Created on first use: a zone's formatter costs its time zone data to load.
      this.offset ??= offsetFunction(this.timeZone);
      const start = quarter * QUARTER_HOUR_MS;
      key = dayOfNumber(Math.floor((start + this.offset(start)) / 86_400_000));
      this.memo.set(quarter, key);
    }
    return key;
  }
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The first day (YYYY-MM-DD) of the week holding `day`, weeks starting on `start`. */
export function weekStart(day: string, start: Weekday): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() - WEEKDAYS.indexOf(start) + 7) % 7;
  d.setUTCDate(d.getUTCDate() - back);
  return d.toISOString().slice(0, 10);
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** A day key shifted by `n` calendar days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** From `from` (ms) on, local time is UTC + `offsetMs`, until the next segment starts. */
export interface OffsetSegment {
  from: number;
  offsetMs: number;
}

/**
 * The zone's UTC offsets over [fromMs, toMs], as segments starting at each change (found to the quarter hour, which
 * every zone's changes fall on). Lets a store turn instants into local days without a call per row.
 */
export function offsetSegments(timeZone: string, fromMs: number, toMs: number): OffsetSegment[] {
  if (isUtc(timeZone)) return [{ from: Number.MIN_SAFE_INTEGER, offsetMs: 0 }];
  const offsetAt = offsetFunction(timeZone);
  const step = 6 * 3600 * 1000;
  const start = Math.floor(fromMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const segments: OffsetSegment[] = [{ from: Number.MIN_SAFE_INTEGER, offsetMs: offsetAt(start) }];
  let prevTs = start;
  let prev = segments[0]!.offsetMs;
  for (let ts = start + step; prevTs < toMs; ts += step) {
    const off = offsetAt(ts);
    if (off !== prev) {
      // Narrow the change down to its quarter hour.
      let lo = prevTs;
      let hi = ts;
      while (hi - lo > QUARTER_HOUR_MS) {
        const mid = lo + Math.floor((hi - lo) / QUARTER_HOUR_MS / 2) * QUARTER_HOUR_MS;
        if (offsetAt(mid) === prev) lo = mid;
        else hi = mid;
      }
      segments.push({ from: hi, offsetMs: off });
      prev = off;
    }
    prevTs = ts;
  }
  return segments;
}

/** YYYY-MM-DD of a day number (days since the epoch, in local time). */
export function dayOfNumber(n: number): string {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}
