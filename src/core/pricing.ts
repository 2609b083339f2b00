// Request costs. Prices themselves come from a price database (see price-database.ts) through a lookup handed to the
// PriceBook, which resolves a model's prices once per (model, UTC day, speed) and prices each request here.
import { promptTokens, type Speed, type TokenCounts } from './event.js';

/**
 * Anthropic bills fast mode at six times the standard rates (Opus 4.6 fast: $30 / $150 per MTok against $5 / $25),
 * applied on top of whatever tier the request falls in. Used unless the database has a `-fast` entry of its own.
 */
export const FAST_MODE_MULTIPLIER = 6;

interface Tier { start: number; price: number }
export type Rate = number | { base: number; tiers: Tier[] } | undefined;

export interface ResolvedPrice {
  /** The price database's id for the model, e.g. `claude-sonnet-4-5`. */
  modelId: string;
  /** USD per million tokens by kind (`input_mtok`, `output_mtok`, `cache_read_mtok`, …), flat or tiered. */
  prices: Record<string, Rate>;
  fastIncluded: boolean;
}

/** The database's prices for a normalized model name on a day, or null when it does not know the model. */
export type PriceLookup = (name: string, at: Date) => ResolvedPrice | null;

/** A resolved price, as kept between runs: (model, UTC day × 2 + fast) → price. */
export interface KnownPrice {
  model: string;
  key: number;
  price: ResolvedPrice | null;
}

/** Strips what clients add to a model name that a price table does not know: `[1m]` context suffixes, provider prefixes. */
export function normalizeModelName(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.replace(/\[[^\]]*\]$/, '');
  m = m.replace(/^(anthropic|openai|google|models|vertex_ai|bedrock)\//, '');
  m = m.replace(/^(us|eu|apac|global)\.anthropic\./, '').replace(/^anthropic\./, '');
  m = m.replace(/-v\d+:\d+$/, '');
  return m;
}

/** A price's key within its model: the UTC day number × 2, plus 1 when fast. */
export const priceKey = (ts: number, speed: Speed) => Math.floor(ts / 86_400_000) * 2 + (speed === 'fast' ? 1 : 0);

export class PriceBook {
  /** model → (UTC day number × 2 + fast) → price: every request is priced, so lookups avoid building strings. */
  private readonly cache = new Map<string, Map<number, ResolvedPrice | null>>();
  private added: KnownPrice[] = [];

  /** Without a lookup, the book prices only what it was seeded with (see `knows`, `useLookup`). */
  constructor(private lookup?: PriceLookup) {}

  useLookup(lookup: PriceLookup): void {
    this.lookup = lookup;
  }

  seed(known: KnownPrice[]): void {
    for (const k of known) this.byDay(k.model).set(k.key, k.price);
  }

  /** Whether pricing `model` on this day and speed needs no lookup. */
  knows(model: string, ts: number, speed: Speed): boolean {
    return this.cache.get(model)?.has(priceKey(ts, speed)) ?? false;
  }

  /** Prices resolved through the lookup since the last call, to keep for later runs. */
  takeAdded(): KnownPrice[] {
    const out = this.added;
    this.added = [];
    return out;
  }

  private byDay(model: string): Map<number, ResolvedPrice | null> {
    let m = this.cache.get(model);
    if (!m) this.cache.set(model, (m = new Map()));
    return m;
  }

  /** The prices in force for `model` on the UTC day of `ts`, or null when the database does not know the model. */
  resolve(model: string, ts: number, speed: Speed = 'standard'): ResolvedPrice | null {
    const byDay = this.byDay(model);
    const key = priceKey(ts, speed);
    const hit = byDay.get(key);
    if (hit !== undefined) return hit;
    const lookup = this.lookup;
    if (!lookup) throw new Error(`no price lookup for ${model}: check knows() and call useLookup() first`);
    const day = new Date(ts).toISOString().slice(0, 10);
    const name = normalizeModelName(model);
    const at = new Date(`${day}T12:00:00Z`);
    let resolved: ResolvedPrice | null = null;
    if (speed === 'fast') {
      const fast = lookup(`${name}-fast`, at);
      if (fast && fast.modelId.endsWith('fast')) resolved = { ...fast, fastIncluded: true };
    }
    resolved ??= lookup(name, at);
    byDay.set(key, resolved);
    this.added.push({ model, key, price: resolved });
    return resolved;
  }

  /** The price of `model` on this day and speed, as kept between runs and handed to another book (see seed). */
  entry(model: string, ts: number, speed: Speed): KnownPrice {
    return { model, key: priceKey(ts, speed), price: this.resolve(model, ts, speed) };
  }

  /** USD for one request, or null when the model has no known price. */
  cost(model: string, ts: number, speed: Speed, counts: TokenCounts): number | null {
    const price = this.resolve(model, ts, speed);
    if (!price) return null;
    return requestCost(price, speed, counts);
  }
}

/**
 * Anthropic's long-context rule is per request: when the prompt (input + cache reads + cache writes) exceeds a tier's
 * start, every token of that request is billed at the tier's rates.
 */
function rate(r: Rate, prompt: number): number | undefined {
  if (r === undefined || typeof r === 'number') return r;
  let p = r.base;
  for (const t of r.tiers) if (prompt > t.start) p = t.price;
  return p;
}

export function requestCost(price: ResolvedPrice, speed: Speed, c: TokenCounts): number {
  const prompt = promptTokens(c);
  const p = price.prices;
  const input = rate(p.input_mtok, prompt) ?? 0;
  const output = rate(p.output_mtok, prompt) ?? 0;
  // ccusage's fallbacks where the database has no cache prices: writes 1.25x input, reads 0.1x, 1-hour writes 2x.
  const write5m = rate(p.cache_write_mtok, prompt) ?? input * 1.25;
  const write1h = rate(p.cache_write_1h_mtok, prompt) ?? input * 2;
  const read = rate(p.cache_read_mtok, prompt) ?? input * 0.1;
  const usd = (c.input * input + c.output * output + c.cacheRead * read + c.cacheWrite5m * write5m + c.cacheWrite1h * write1h) / 1e6;
  return speed === 'fast' && !price.fastIncluded ? usd * FAST_MODE_MULTIPLIER : usd;
}

/** USD as reports hand it out: to 1e-8 (a hundredth of a micro-dollar), without the noise of summed floats. */
export function roundUsd(v: number): number {
  return Math.round(v * 1e8) / 1e8;
}

/** A user's own price for a model, in USD per million tokens (reasoning is billed as output). */
export interface PriceOverride {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
}

/** The config's `prices` (by model name or glob) and `aliases` (a name the database does not know → one it does). */
export interface PriceConfig {
  prices: Record<string, PriceOverride>;
  aliases: Record<string, string>;
}

export const NO_PRICE_CONFIG: PriceConfig = { prices: {}, aliases: {} };

/** `*` and `?` as in a shell, over the whole normalized name. */
function globMatcher(pattern: string): RegExp {
  const body = normalizeModelName(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Where a resolved price came from, in words (`tokenmeter prices`). */
export const priceSource = (p: ResolvedPrice): string =>
  p.modelId.startsWith('override:') ? `your price for "${p.modelId.slice(9)}"` : `the price database's ${p.modelId}`;

/**
 * The database's lookup with the user's prices first (an exact name before a glob, the first glob that matches), then
 * their aliases (a name priced as the model it stands for, whose own price may be theirs too).
 */
export function overriddenLookup(base: PriceLookup, config: PriceConfig): PriceLookup {
  const patterns = Object.entries(config.prices)
    .map(([pattern, price]) => ({ pattern, price, exact: !/[*?]/.test(pattern), re: globMatcher(pattern) }))
    .sort((a, b) => Number(b.exact) - Number(a.exact));
  const aliases = new Map(Object.entries(config.aliases).map(([from, to]) => [normalizeModelName(from), normalizeModelName(to)]));
  if (patterns.length === 0 && aliases.size === 0) return base;
  const own = (name: string): ResolvedPrice | null => {
    const hit = patterns.find((p) => p.re.test(name));
    if (!hit) return null;
    const o = hit.price;
    return {
      modelId: `override:${hit.pattern}`, fastIncluded: false,
      prices: { input_mtok: o.input, output_mtok: o.output, cache_read_mtok: o.cacheRead, cache_write_mtok: o.cacheWrite5m, cache_write_1h_mtok: o.cacheWrite1h },
    };
  };
  return (name, at) => {
    const target = aliases.get(name);
    return own(name) ?? (target ? own(target) ?? base(target, at) : base(name, at));
  };
}

/** A short stable fingerprint of a price config: stored costs are recomputed when it changes. */
export function priceConfigKey(config: PriceConfig): string {
  const canon = JSON.stringify([Object.entries(config.prices).sort(), Object.entries(config.aliases).sort()]);
  if (canon === '[[],[]]') return '';
  let h = 0x811c9dc5;
  for (let i = 0; i < canon.length; i++) h = Math.imul(h ^ canon.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
