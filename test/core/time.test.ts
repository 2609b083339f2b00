import { describe, expect, it } from 'vitest';
import { startOfDay } from '../../src/core/report.js';
import { DateArgError, DayKeyer, dayOfNumber, offsetSegments, parseDateArg, weekStart } from '../../src/core/time.js';

describe('dates', () => {
  it('accepts YYYY-MM-DD and YYYYMMDD and rejects the rest with the flag name', () => {
    expect(parseDateArg('2026-03-02', '--since')).toBe('2026-03-02');
    expect(parseDateArg('20260302', '--since')).toBe('2026-03-02');
    expect(() => parseDateArg('2026-02-30', '--until')).toThrow(/--until: "2026-02-30" is not a calendar date/);
    expect(() => parseDateArg('March 2', '--since')).toThrow(DateArgError);
  });

  it('starts weeks on the chosen day', () => {
    expect(weekStart('2026-03-04', 'sunday')).toBe('2026-03-01');
    expect(weekStart('2026-03-04', 'monday')).toBe('2026-03-02');
    expect(weekStart('2026-03-01', 'monday')).toBe('2026-02-23');
  });

  it('puts an instant on the right local day', () => {
    const ts = Date.parse('2026-03-02T23:30:00Z');
    expect(new DayKeyer('UTC').day(ts)).toBe('2026-03-02');
    expect(new DayKeyer('Asia/Tokyo').day(ts)).toBe('2026-03-03');
    expect(new DayKeyer('America/Los_Angeles').day(ts)).toBe('2026-03-02');
    expect(new DayKeyer('Asia/Kathmandu').day(Date.parse('2026-03-02T18:14:59Z'))).toBe('2026-03-02');
    expect(new DayKeyer('Asia/Kathmandu').day(Date.parse('2026-03-02T18:15:00Z'))).toBe('2026-03-03');
  });

  it('finds local midnight, DST days included', () => {
    expect(new Date(startOfDay('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(startOfDay('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(startOfDay('2026-03-03', 'Asia/Kolkata')).toISOString()).toBe('2026-03-02T18:30:00.000Z');
  });

  it('lists offset changes to the quarter hour', () => {
    const segs = offsetSegments('America/New_York', Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-12-31T00:00:00Z'));
    expect(segs.map((s) => s.offsetMs / 3600_000)).toEqual([-5, -4, -5]);
    expect(new Date(segs[1]!.from).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(new Date(segs[2]!.from).toISOString()).toBe('2026-11-01T06:00:00.000Z');
    expect(offsetSegments('UTC', 0, 1e12)).toHaveLength(1);
    expect(dayOfNumber(20_514)).toBe('2026-03-02');
  });
});
