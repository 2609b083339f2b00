// tokenmeter's config file: $TOKENMETER_CONFIG, else config.json in TOKENMETER_HOME. Flags win over it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanName } from '../core/limits.js';
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
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message.replace(/, ".*$/, '')})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${path}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const out: Config = {};
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
