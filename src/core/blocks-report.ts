// The blocks report in ccusage's JSON shape (`blocks[]` with its field names), plus what ccusage lacks: the share of
// the limit each block used and, where Claude Code told us, its official percentage beside our estimate.
import { burnRate, project, type Block } from './blocks.js';
import { cacheWrite } from './event.js';
import { limitTokens, timeToLimit, type OfficialReading } from './limits.js';
import { roundUsd } from './pricing.js';

export interface BlocksReportOptions {
  now: number;
  /** Limit tokens per window (with a plan's cost and messages), and where that number comes from. */
  limit: { tokens: number; source: string; cost?: number; messages?: number } | null;
  /** Official 5-hour readings, oldest first. */
  readings: OfficialReading[];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The latest official reading taken during the block. */
function officialFor(b: Block, readings: OfficialReading[]): OfficialReading | undefined {
  let found: OfficialReading | undefined;
  for (const r of readings) if (r.at >= b.start && r.at <= b.end + 60_000) found = r;
  return found;
}

const beforeReset = (at: number | null, end: number) => (at !== null && at < end ? at : null);

export function blocksReport(blocks: Block[], o: BlocksReportOptions) {
  return {
    limit: o.limit,
    blocks: blocks.map((b) => {
      const rate = b.isActive ? burnRate(b) : null;
      const used = limitTokens(b.tokens);
      const official = b.isGap ? undefined : officialFor(b, o.readings);
      return {
        id: b.id,
        startTime: iso(b.start),
        endTime: iso(b.end),
        actualEndTime: iso(b.actualEnd),
        isActive: b.isActive,
        isGap: b.isGap,
        entries: b.entries,
        tokenCounts: {
          inputTokens: b.tokens.input, outputTokens: b.tokens.output,
          cacheCreationInputTokens: cacheWrite(b.tokens), cacheReadInputTokens: b.tokens.cacheRead,
        },
        totalTokens: b.totalTokens,
        costUSD: roundUsd(b.cost),
        models: b.models,
        burnRate: rate && { tokensPerMinute: rate.tokensPerMinute, costPerHour: rate.costPerHour },
        projection: project(b, rate, o.now),
        limitTokens: used,
        limitUsedPercent: o.limit && !b.isGap ? (used / o.limit.tokens) * 100 : null,
        // A plan's other two limits: its cost, and its messages (each request is one).
        limitCostPercent: o.limit?.cost && !b.isGap ? (b.cost / o.limit.cost) * 100 : null,
        limitMessagesPercent: o.limit?.messages && !b.isGap ? (b.entries / o.limit.messages) * 100 : null,
        // Only a limit reached before the window resets is one the user will meet.
        limitReachedAt: o.limit && rate && b.isActive ? iso(beforeReset(timeToLimit(used, o.limit.tokens, (rate.tokensPerMinute * used) / Math.max(b.totalTokens, 1), o.now), b.end)) : null,
        official: official ? { usedPercent: official.usedPercent, resetsAt: iso(official.resetsAt), readAt: iso(official.at) } : null,
      };
    }),
  };
}
