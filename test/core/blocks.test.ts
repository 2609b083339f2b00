import { describe, expect, it } from 'vitest';
import { BLOCK_MS, buildBlocks, burnRate, project, type BlockEntry } from '../../src/core/blocks.js';

const H = 3600_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const entry = (ts: number, output = 100, model = 'claude-sonnet-4-5'): BlockEntry => ({
  ts, model, cost: 0.01, input: 10, output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0,
});

describe('5-hour blocks', () => {
  it('starts a block at the hour of its first request and keeps requests within 5 hours of that start', () => {
    const blocks = buildBlocks([entry(T0 + 17 * 60_000), entry(T0 + 2 * H), entry(T0 + 4 * H + 59 * 60_000)], T0 + 30 * H);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ start: T0, end: T0 + BLOCK_MS, entries: 3, totalTokens: 330, isActive: false });
    expect(blocks[0]!.id).toBe('2026-03-02T09:00:00.000Z');
  });

  it('opens a new block past the 5 hours, and a gap block after a pause longer than 5 hours', () => {
    const blocks = buildBlocks([entry(T0), entry(T0 + 5 * H + 60_000), entry(T0 + 12 * H + 30 * 60_000)], T0 + 13 * H);
    // As ccusage: the second request is more than 5 h after the first, so even a one-minute pause is a gap.
    expect(blocks.map((b) => [b.isGap, new Date(b.start).toISOString()])).toEqual([
      [false, '2026-03-02T09:00:00.000Z'],
      [true, '2026-03-02T14:00:00.000Z'],
      [false, '2026-03-02T14:00:00.000Z'],
      [true, '2026-03-02T19:01:00.000Z'],
      [false, '2026-03-02T21:00:00.000Z'],
    ]);
    expect(blocks[4]!.isActive).toBe(true);
    expect(blocks[2]!.isActive).toBe(false);
  });

  it('gives a burn rate between the first and last request and projects it to the end of the block', () => {
    const now = T0 + 60 * 60_000;
    const [b] = buildBlocks([entry(T0 + 10 * 60_000, 990), entry(T0 + 40 * 60_000, 990)], now);
    const rate = burnRate(b!)!;
    expect(rate.tokensPerMinute).toBeCloseTo(2000 / 30, 9);
    expect(rate.costPerHour).toBeCloseTo((0.02 / 30) * 60, 9);
    const p = project(b!, rate, now)!;
    expect(p.remainingMinutes).toBe(240);
    expect(p.totalTokens).toBe(Math.round(2000 + (2000 / 30) * 240));
    expect(burnRate(buildBlocks([entry(T0)], now)[0]!)).toBeNull();
  });
});
