// tokenmeter blocks: 5-hour windows with tokens, cost, burn rate, the share of the limit used and, where Claude Code
// reported it, the official percentage beside our figure.
import { buildBlocks } from '../core/blocks.js';
import { blocksReport } from '../core/blocks-report.js';
import { startOfDay } from '../core/report.js';
import { isToolFilter, TOOLS } from '../sources/registry.js';
import { addDays, assertTimeZone, DateArgError, LOCAL_ZONE, parseDateArg } from '../core/time.js';
import { loadConfig } from './config.js';
import { withIndex } from './index-access.js';
import { resolveLimit } from './limit.js';
import { UsageError } from './usage-error.js';

export interface BlocksFlags {
  active?: boolean;
  recent?: boolean;
  json?: boolean;
  csv?: boolean;
  compact?: boolean;
  tz?: string;
  /** Whose window: claude-code (the default, the window these are), another tool, or all. */
  tool?: string;
  plan?: string;
  limit?: string;
  since?: string;
  until?: string;
  verbose?: boolean;
  store?: string;
}

const RECENT_MS = 3 * 86_400_000;

export async function runBlocks(flags: BlocksFlags, now = Date.now()): Promise<void> {
  let from: number | undefined;
  let to: number | undefined;
  let zone: string;
  const tool = flags.tool ?? 'claude-code';
  if (tool !== 'all' && !isToolFilter(tool)) throw new UsageError(`--tool: expected ${TOOLS.join(', ')}, an app's service.name or all, got "${tool}"`);
  try {
    zone = assertTimeZone(flags.tz ?? process.env.TOKENMETER_TZ ?? LOCAL_ZONE);
    if (flags.since) from = startOfDay(parseDateArg(flags.since, '--since'), zone);
    if (flags.until) to = startOfDay(addDays(parseDateArg(flags.until, '--until'), 1), zone);
  } catch (e) {
    if (e instanceof DateArgError) throw new UsageError(e.message);
    throw e;
  }
  const config = loadConfig();
  await withIndex({ verbose: flags.verbose, store: flags.store }, async (store) => {
    // Blocks chain from the first request on, so the whole history is read; filters apply to the blocks.
    // A tool's window counts that tool's requests: Claude's 5 hours are not filled by Gemini's.
    const rows = (await store.eventsSince(0)).filter((r) => r.ts <= now && (tool === 'all' || r.tool === tool));
    const all = buildBlocks(rows, now);
    const limit = resolveLimit(flags, config, all, now);
    let blocks = all;
    if (flags.active) blocks = blocks.filter((b) => b.isActive);
    if (flags.recent) blocks = blocks.filter((b) => b.end >= now - RECENT_MS);
    if (from !== undefined) blocks = blocks.filter((b) => b.end > from!);
    if (to !== undefined) blocks = blocks.filter((b) => b.start < to!);
    const readings = (await store.limitReadings('5h', 0)).filter((r) => tool === 'all' || r.tool === tool)
      .map((r) => ({ at: r.at, usedPercent: r.usedPercent, resetsAt: r.resetsAt, localCost: r.localCost }));
    const report = blocksReport(blocks, { now, limit, readings });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ tool, ...report }, null, 2)}\n`);
      return;
    }
    const { renderBlocksCsv, renderBlocksTable } = await import('./render-blocks.js');
    if (flags.csv) {
      process.stdout.write(renderBlocksCsv(report));
      return;
    }
    if (report.blocks.length === 0) {
      process.stdout.write(flags.active ? `No active 5-hour block${tool === 'all' ? '' : ` for ${tool}`}.\n` : 'No usage found.\n');
      return;
    }
    const { wantsCompact } = await import('./render-table.js');
    process.stdout.write(`${renderBlocksTable(report, { now, zone, compact: wantsCompact(flags.compact ?? false, process.stdout.columns) })}\n`);
  });
}
