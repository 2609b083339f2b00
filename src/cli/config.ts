// tokenmeter's config file: $TOKENMETER_CONFIG, else config.json in TOKENMETER_HOME. Flags win over it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanName } from '../core/limits.js';
import { NO_PRICE_CONFIG, type PriceConfig, type PriceOverride } from '../core/pricing.js';
import { parseBudgets, type Budget } from '../core/budgets.js';
import { tokenmeterHome } from './home.js';
import { UsageError } from './usage-error.js';

export interface StatuslineConfig {
  /** Segments in order, e.g. "{model} | {cost} | {tokens} | {rate} | {window}". */
  format?: string;
  /** Percent of the window at which the light turns yellow, then red. */
  thresholds?: [number, number];
  emoji?: boolean;
}

export interface Config {
  plan?: PlanName;
  /** Tokens per 5-hour window, or "p90" to learn it from past windows. */
  limit?: number | 'p90';
  statusline?: StatuslineConfig;
  /** The user's own prices (USD per million tokens, by model name or glob) and aliases: they win over the database. */
  pricing: PriceConfig;
  budgets: Budget[];
  /** Where budget alerts go besides the daemon's log and stream. */
  alerts: { webhook?: string; desktop?: boolean };
}

const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h'] as const;

function priceConfigOf(c: Record<string, unknown>, path: string): PriceConfig {
  const out: PriceConfig = { prices: {}, aliases: {} };
  if (c.prices !== undefined) {
    if (!c.prices || typeof c.prices !== 'object' || Array.isArray(c.prices)) throw new UsageError(`${path}: "prices" must be an object of model name (or glob) → prices`);
    for (const [model, v] of Object.entries(c.prices as Record<string, unknown>)) {
      const where = `${path}: prices["${model}"]`;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${where} must be an object such as {"input": 3, "output": 15} (USD per million tokens)`);
      const p = v as Record<string, unknown>;
      const unknown = Object.keys(p).filter((k) => !(PRICE_FIELDS as readonly string[]).includes(k) && k !== 'reasoning');
      if (unknown.length) throw new UsageError(`${where}: unknown field ${unknown.join(', ')} (expected ${PRICE_FIELDS.join(', ')})`);
      for (const k of PRICE_FIELDS) {
        const n = p[k];
        if (n === undefined && (k === 'input' || k === 'output')) throw new UsageError(`${where}.${k} is missing (USD per million tokens)`);
        if (n !== undefined && !(typeof n === 'number' && Number.isFinite(n) && n >= 0 && n < 1e6)) throw new UsageError(`${where}.${k} must be a number of USD per million tokens, got ${JSON.stringify(n)}`);
      }
      if (p.reasoning !== undefined && p.reasoning !== p.output) throw new UsageError(`${where}.reasoning: reasoning is billed as output; leave it out or make it equal to output`);
      out.prices[model] = Object.fromEntries(PRICE_FIELDS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])) as unknown as PriceOverride;
    }
  }
  if (c.aliases !== undefined) {
    if (!c.aliases || typeof c.aliases !== 'object' || Array.isArray(c.aliases)) throw new UsageError(`${path}: "aliases" must be an object of model name → priced model name`);
    for (const [from, to] of Object.entries(c.aliases as Record<string, unknown>)) {
      if (typeof to !== 'string' || !to.trim()) throw new UsageError(`${path}: aliases["${from}"] must be the name of a priced model`);
      out.aliases[from] = to;
    }
  }
  return Object.keys(out.prices).length || Object.keys(out.aliases).length ? out : NO_PRICE_CONFIG;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOKENMETER_CONFIG || join(tokenmeterHome(env), 'config.json');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { pricing: NO_PRICE_CONFIG, budgets: [], alerts: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message.replace(/, ".*$/, '')})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${path}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  let budgets: Budget[];
  try {
    budgets = parseBudgets(c.budgets, path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const alerts: Config['alerts'] = {};
  if (c.alerts !== undefined) {
    const a = c.alerts as Record<string, unknown>;
    if (!a || typeof a !== 'object' || Array.isArray(a)) throw new UsageError(`${path}: "alerts" must be an object such as {"webhook": "https://…", "desktop": false}`);
    if (a.webhook !== undefined) {
      if (typeof a.webhook !== 'string' || !/^https?:\/\/[^\s]+$/.test(a.webhook)) throw new UsageError(`${path}: alerts.webhook must be an http(s) URL`);
      alerts.webhook = a.webhook;
    }
    if (a.desktop !== undefined) {
      if (typeof a.desktop !== 'boolean') throw new UsageError(`${path}: alerts.desktop must be true or false`);
      alerts.desktop = a.desktop;
    }
  }
  const out: Config = { pricing: priceConfigOf(c, path), budgets, alerts };
  if (c.plan !== undefined) {
    if (!['pro', 'max5', 'max20', 'custom'].includes(String(c.plan))) throw new UsageError(`${path}: "plan" must be pro, max5, max20 or custom`);
    out.plan = c.plan as PlanName;
  }
  if (c.limit !== undefined) {
    if (c.limit !== 'p90' && !(typeof c.limit === 'number' && c.limit > 0)) throw new UsageError(`${path}: "limit" must be a number of tokens or "p90"`);
    out.limit = c.limit as number | 'p90';
  }
  if (c.statusline !== undefined) {
    const s = c.statusline as Record<string, unknown>;
    if (!s || typeof s !== 'object') throw new UsageError(`${path}: "statusline" must be an object`);
    out.statusline = {};
    if (typeof s.format === 'string') out.statusline.format = s.format;
    if (Array.isArray(s.thresholds) && s.thresholds.length === 2 && s.thresholds.every((n) => typeof n === 'number')) {
      out.statusline.thresholds = s.thresholds as [number, number];
    }
    if (typeof s.emoji === 'boolean') out.statusline.emoji = s.emoji;
  }
  return out;
}
