import { describe, expect, it } from 'vitest';
import { emptyCounts, type TokenCounts } from '../../src/core/event.js';
import { lookupPrice } from '../../src/core/price-database.js';
import { FAST_MODE_MULTIPLIER, normalizeModelName, PriceBook } from '../../src/core/pricing.js';

const book = new PriceBook(lookupPrice);
const at = Date.parse('2026-11-20T12:00:00Z');
const counts = (c: Partial<TokenCounts>): TokenCounts => ({ ...emptyCounts(), ...c });

describe('request cost, checked against hand-computed dollars', () => {
  it('prices each token kind at its own rate (Sonnet 4.5: $3 in, $15 out, $3.75 5m write, $0.30 read)', () => {
    const usd = book.cost('claude-sonnet-4-5-20250929', at, 'standard', counts({ input: 4, output: 212, cacheWrite5m: 1820, cacheRead: 41237 }));
    // 4×3 + 212×15 + 1820×3.75 + 41237×0.3 = 22388.1 µ$
    expect(usd).toBeCloseTo(0.0223881, 10);
  });

  it('prices 1-hour cache writes at twice the input rate', () => {
    expect(book.cost('claude-sonnet-4-5', at, 'standard', counts({ cacheWrite1h: 10_000 }))).toBeCloseTo(0.06, 10);
    expect(book.cost('claude-sonnet-4-5', at, 'standard', counts({ cacheWrite5m: 10_000 }))).toBeCloseTo(0.0375, 10);
  });

  it('bills the whole request at long-context rates once the prompt exceeds 200k tokens', () => {
    const over = counts({ input: 10_000, cacheRead: 190_001, output: 1_000 });
    // 10000×6 + 190001×0.6 + 1000×22.5 = 196500.6 µ$
    expect(book.cost('claude-sonnet-4-5', at, 'standard', over)).toBeCloseTo(0.1965006, 10);
    const exactly = counts({ input: 10_000, cacheRead: 190_000, output: 1_000 });
    // 10000×3 + 190000×0.3 + 1000×15 = 102000 µ$
    expect(book.cost('claude-sonnet-4-5', at, 'standard', exactly)).toBeCloseTo(0.102, 10);
  });

  it('counts cache writes toward the long-context threshold', () => {
    const c = counts({ input: 1_000, cacheWrite5m: 150_000, cacheWrite1h: 50_000, output: 100 });
    // prompt 201000 > 200k: 1000×6 + 150000×7.5 + 50000×12 + 100×22.5 = 1733250 µ$
    expect(book.cost('claude-sonnet-4-5', at, 'standard', c)).toBeCloseTo(1.73325, 10);
  });

  it('applies the price in force on the request day', () => {
    const big = counts({ input: 250_000 });
    // Opus 4.6 dropped its long-context surcharge on 2026-03-13.
    expect(book.cost('claude-opus-4-6', Date.parse('2026-02-01T10:00:00Z'), 'standard', big)).toBeCloseTo(2.5, 10);
    expect(book.cost('claude-opus-4-6', Date.parse('2026-04-01T10:00:00Z'), 'standard', big)).toBeCloseTo(1.25, 10);
  });

  it('multiplies fast-mode requests', () => {
    const c = counts({ input: 1_000, output: 1_000 });
    const standard = book.cost('claude-opus-4-8', at, 'standard', c)!;
    expect(standard).toBeCloseTo(0.03, 10);
    expect(book.cost('claude-opus-4-8', at, 'fast', c)).toBeCloseTo(0.03 * FAST_MODE_MULTIPLIER, 10);
  });

  it('knows other providers from the same database', () => {
    expect(book.cost('gpt-5', at, 'standard', counts({ input: 1_000_000 }))).toBeGreaterThan(0);
    expect(book.cost('gemini-2.5-pro', at, 'standard', counts({ input: 1_000_000 }))).toBeGreaterThan(0);
  });

  it('returns null for a model it does not know, never zero', () => {
    expect(book.cost('claude-nonexistent-9', at, 'standard', counts({ input: 1 }))).toBeNull();
    expect(book.resolve('my-local-llama', at)).toBeNull();
  });
});

describe('model names', () => {
  it('strips context suffixes and provider prefixes', () => {
    expect(normalizeModelName('claude-opus-4-8[1m]')).toBe('claude-opus-4-8');
    expect(normalizeModelName('anthropic/claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(normalizeModelName('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude-sonnet-4-5-20250929');
    expect(book.resolve('claude-opus-4-8[1m]', at)?.modelId).toBe(book.resolve('claude-opus-4-8', at)?.modelId);
  });
});

describe('prices kept between runs', () => {
  it('prices from what it was seeded with, and asks the database only for the rest', () => {
    const first = new PriceBook(lookupPrice);
    const c = counts({ input: 1_000, output: 1_000 });
    const usd = first.cost('claude-opus-4-8', at, 'standard', c);
    const kept = first.takeAdded();
    expect(kept).toHaveLength(1);
    const later = new PriceBook();
    later.seed(JSON.parse(JSON.stringify(kept)));
    expect(later.knows('claude-opus-4-8', at, 'standard')).toBe(true);
    expect(later.cost('claude-opus-4-8', at, 'standard', c)).toBe(usd);
    expect(later.knows('claude-opus-4-8', at + 86_400_000, 'standard')).toBe(false);
    expect(() => later.cost('claude-opus-4-8', at + 86_400_000, 'standard', c)).toThrow(/no price lookup/);
  });
});
