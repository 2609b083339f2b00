// Each budget's use this period, from the views (the local index, or the pooled store in fleet mode): what
// `budget list`, /api/budgets and /metrics show, and what alerts and the guard act on.
import { BLOCK_MS, buildBlocks } from '../core/blocks.js';
import { budgetUse, calendarPeriod, type Budget, type BudgetUse } from '../core/budgets.js';
import type { ViewStore } from '../store/store.js';
import { LOOKBACK_MS, quarterHourEntries, sumOver } from './status.js';

const WEEK_MS = 7 * 86_400_000;

/** The tool a window-based budget is about: its own, else Claude Code's (whose windows they are, by default). */
const windowTool = (b: Budget) => b.tool ?? 'claude-code';

/** The tool's latest official reading of a window that has not reset yet, or null. */
export async function officialReading(store: ViewStore, tool: string, window: '5h' | '7d', now: number) {
  return (await store.limitReadings(window, now - 2 * WEEK_MS)).filter((r) => r.tool === tool && r.resetsAt > now).at(-1) ?? null;
}

/** The 5-hour window now: the tool's official one while it runs, else its active block, else one starting now. */
async function fiveHourWindow(store: ViewStore, tool: string, now: number): Promise<{ start: number; end: number }> {
  const official = await officialReading(store, tool, '5h', now);
  if (official) return { start: official.resetsAt - BLOCK_MS, end: official.resetsAt };
  const block = buildBlocks(await quarterHourEntries(store, now - LOOKBACK_MS, now, tool), now).filter((b) => !b.isGap).at(-1);
  return block?.isActive ? { start: block.start, end: block.start + BLOCK_MS } : { start: now, end: now + BLOCK_MS };
}

export async function budgetUses(store: ViewStore, budgets: Budget[], opts: { now?: number; timeZone: string }): Promise<BudgetUse[]> {
  const now = opts.now ?? Date.now();
  const out: BudgetUse[] = [];
  for (const b of budgets) {
    const period = b.period === '5h' ? await fiveHourWindow(store, windowTool(b), now) : calendarPeriod(b.period, now, opts.timeZone);
    const { cost: usd, tokens } = await sumOver(store, { fromTs: period.start, toTs: period.end, tool: b.tool, project: b.project, model: b.model, host: b.host });
    let percent: number | null = null;
    if (b.percent !== undefined) percent = (await officialReading(store, windowTool(b), b.period === '5h' ? '5h' : '7d', now))?.usedPercent ?? null;
    out.push(budgetUse(b, period, { usd, tokens, percent }));
  }
  return out;
}
