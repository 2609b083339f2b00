// The limit for a command: flags first, then the config file (see core's chooseLimit).
import type { Block } from '../core/blocks.js';
import { chooseLimit, LimitError, type LimitChoice } from '../core/limits.js';
import type { Config } from './config.js';
import { UsageError } from './usage-error.js';

export function resolveLimit(flags: { plan?: string; limit?: string }, config: Config, blocks: Block[], now: number): LimitChoice {
  const limit = flags.limit ?? (flags.plan === undefined && config.limit !== undefined ? String(config.limit) : undefined);
  try {
    return chooseLimit(flags.plan ?? config.plan, limit, blocks, now);
  } catch (e) {
    if (e instanceof LimitError) throw new UsageError(`--${e.message}`);
    throw e;
  }
}
