// JSON with ccusage's field names, so scripts written for ccusage keep working, whichever version they were written
// for: each row carries ccusage 18's key (`date`, `week`, `month`, `sessionId`) and ccusage 20's (`period`, `agent`,
// `metadata`); sessions come both as `sessions` (18) and `session` (20). The finer split rides along.
import { roundUsd } from '../core/pricing.js';
import type { ModelBreakdown, Report, ReportRow, Sums } from '../core/report.js';
import { agentName } from '../sources/registry.js';

const listName: Record<Report['period'], string> = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions' };
const keyName: Record<Report['period'], string> = { daily: 'date', weekly: 'week', monthly: 'month', session: 'sessionId' };

/** ccusage's name for the agent a tool's usage comes from. */
export const agentOf = agentName;

function sums(s: Sums) {
  return {
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cacheCreationTokens: s.cacheCreationTokens,
    cacheReadTokens: s.cacheReadTokens,
    totalTokens: s.totalTokens,
    totalCost: roundUsd(s.totalCost),
    cacheCreation5mTokens: s.cacheCreation5mTokens,
    cacheCreation1hTokens: s.cacheCreation1hTokens,
    reasoningTokens: s.reasoningTokens,
    requests: s.requests,
    costUnknown: s.costUnknown,
    // Said only where it is so (Crush's sessions know their cost alone): the counts are then a lower bound.
    ...(s.tokensUnknown ? { tokensUnknown: true } : {}),
  };
}

function breakdown(b: ModelBreakdown) {
  const { totalCost, ...rest } = sums({ ...b, totalCost: b.cost });
  return { modelName: b.modelName, ...rest, cost: totalCost };
}

function row(period: Report['period'], r: ReportRow, tool: string | undefined) {
  const agents = [...new Set(r.toolBreakdowns.map((t) => agentOf(t.tool)))].sort();
  const head: Record<string, unknown> = { [keyName[period]]: r.key, period: r.key };
  if (period === 'session') {
    // A session is one agent's; its last activity as ccusage 20 gives it (a time, in metadata) and as 18 did (a day).
    head.agent = agents.length === 1 ? agents[0] : 'all';
    head.metadata = { lastActivity: r.lastActivityAt ?? '' };
    head.projectPath = r.projectPath ?? '';
    head.lastActivity = r.lastActivity ?? '';
  } else {
    head.agent = tool ? agentOf(tool) : 'all';
    head.metadata = { agents };
  }
  const tools = r.toolBreakdowns.map((t) => {
    const { totalCost, ...rest } = sums({ ...t, totalCost: t.cost });
    // An agent's own billing credits (Augment, Amp, Factory), in its own unit: per tool only, never added across tools.
    return { tool: t.tool, ...rest, cost: totalCost, ...(t.credits > 0 ? { credits: Math.round(t.credits * 1e6) / 1e6 } : {}) };
  });
  return {
    ...head, ...sums(r), modelsUsed: r.modelsUsed, modelBreakdowns: r.modelBreakdowns.map(breakdown), toolBreakdowns: tools,
    ...(r.modelFallback ? { modelFallback: true } : {}),
  };
}

/** `tool`: the report's --tool filter, if any (the rows' `agent`). */
export function reportJson(report: Report, tool?: string): unknown {
  const rows = report.rows.map((r) => row(report.period, r, tool));
  return {
    [listName[report.period]]: rows,
    ...(report.period === 'session' ? { session: rows } : {}),
    totals: sums(report.totals),
  };
}
