import { describe, expect, it } from 'vitest';
import { buildBlocks, type BlockEntry } from '../../src/core/blocks.js';
import { chooseLimit, estimateWindow, FRESH_MS, p90Limit, timeToLimit } from '../../src/core/limits.js';

const H = 3600_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const entry = (ts: number, tokens: number): BlockEntry => ({ ts, model: 'claude-sonnet-4-5', cost: tokens / 10_000, input: 0, output: tokens, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0 });

/** One completed window per listed total, 8 h apart, ending well before NOW. */
function history(totals: number[]) {
  return buildBlocks(totals.map((t, i) => entry(NOW - (totals.length - i) * 8 * H, t)), NOW);
}

describe('P90 limit', () => {
  it("learns a max5 user's limit from the windows that came near a known limit", () => {
    // Most windows are light; six came within 5 % of 88k, where the user was stopped.
    const blocks = history([12_000, 86_000, 30_000, 87_500, 9_000, 88_000, 85_000, 40_000, 86_500, 87_900]);
    expect(p90Limit(blocks, NOW)).toBe(88_000); // nearest rank: the 6th of the 6 hits
  });

  it('takes every window when none came near a limit, never goes below 19k, and ignores windows older than 8 days', () => {
    expect(p90Limit(history([10_000, 30_000, 50_000, 60_000, 70_000]), NOW)).toBe(70_000);
    expect(p90Limit(history([1_000, 2_000]), NOW)).toBe(19_000);
    const old = buildBlocks([entry(NOW - 9 * 24 * H, 200_000), entry(NOW - 2 * 24 * H, 30_000)], NOW);
    expect(p90Limit(old, NOW)).toBe(30_000);
  });

  it('chooses the limit: a number or p90 or max over a plan, a plan over P90', () => {
    const blocks = history([50_000, 60_000]);
    expect(chooseLimit('max20', undefined, blocks, NOW)).toEqual({ tokens: 220_000, source: 'plan max20', cost: 140, messages: 2000 });
    expect(chooseLimit('max20', '123456', blocks, NOW)).toEqual({ tokens: 123_456, source: 'custom' });
    expect(chooseLimit(undefined, 'max', blocks, NOW)).toEqual({ tokens: 60_000, source: 'max' });
    expect(chooseLimit(undefined, undefined, blocks, NOW)).toEqual({ tokens: 60_000, source: 'p90' });
    expect(() => chooseLimit('ultra', undefined, blocks, NOW)).toThrow(/plan: expected pro, max5, max20 or custom, got "ultra"/);
    expect(() => chooseLimit(undefined, 'lots', blocks, NOW)).toThrow(/limit: expected a number/);
  });
});

describe('window estimate', () => {
  const base = { now: NOW, windowStart: NOW - 2 * H, windowEnd: NOW + 3 * H, localTokens: 40_000, tokenLimit: 88_000 };

  it('uses the official reading while it is fresh', () => {
    const r = estimateWindow({ ...base, localCost: 5, readings: [{ at: NOW - 60_000, usedPercent: 37, resetsAt: NOW + 3 * H, localCost: 4.9 }] });
    expect(r).toEqual({ usedPercent: 37, resetsAt: NOW + 3 * H, source: 'official' });
  });

  it('estimates from the cost per percent of earlier readings once the latest is stale', () => {
    // A user whose true window is $20: every reading said cost / 0.2 percent.
    const readings = [
      { at: NOW - 30 * H, usedPercent: 10, resetsAt: NOW - 27 * H, localCost: 2 },
      { at: NOW - 20 * H, usedPercent: 50, resetsAt: NOW - 17 * H, localCost: 10 },
      { at: NOW - FRESH_MS - 60_000, usedPercent: 25, resetsAt: NOW + 3 * H, localCost: 5 },
    ];
    const r = estimateWindow({ ...base, localCost: 13, readings });
    expect(r?.source).toBe('estimated');
    expect(r?.usedPercent).toBeCloseTo(65, 9);
    expect(r?.resetsAt).toBe(NOW + 3 * H);
  });

  it('falls back to the token limit without readings', () => {
    expect(estimateWindow({ ...base, localCost: 1, readings: [] })).toEqual({ usedPercent: (40_000 / 88_000) * 100, resetsAt: NOW + 3 * H, source: 'limit' });
    expect(estimateWindow({ ...base, tokenLimit: null, localCost: 1, readings: [] })).toBeNull();
  });

  it('says when the limit is hit at the current rate', () => {
    expect(timeToLimit(40_000, 88_000, 400, NOW)).toBe(NOW + 120 * 60_000);
    expect(timeToLimit(90_000, 88_000, 400, NOW)).toBeNull();
    expect(timeToLimit(0, 88_000, 0, NOW)).toBeNull();
  });
});
