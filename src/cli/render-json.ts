// JSON with ccusage's field names, so scripts written for ccusage keep working; the finer split rides along.
import type { ModelBreakdown, Report, ReportRow, Sums } from '../core/report.js';

const listName: Record<Report['period'], string> = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions' };
const keyName: Record<Report['period'], string> = { daily: 'date', weekly: 'week', monthly: 'month', session: 'sessionId' };

function sums(s: Sums) {
  return {
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cacheCreationTokens: s.cacheCreationTokens,
    cacheReadTokens: s.cacheReadTokens,
    totalTokens: s.totalTokens,
    totalCost: s.totalCost,
    cacheCreation5mTokens: s.cacheCreation5mTokens,
    cacheCreation1hTokens: s.cacheCreation1hTokens,
    reasoningTokens: s.reasoningTokens,
    requests: s.requests,
    costUnknown: s.costUnknown,
  };
}

function breakdown(b: ModelBreakdown) {
  const { totalCost, ...rest } = sums({ ...b, totalCost: b.cost });
  return { modelName: b.modelName, ...rest, cost: totalCost };
}

function row(period: Report['period'], r: ReportRow) {
  const head: Record<string, unknown> = { [keyName[period]]: r.key };
  if (period === 'session') {
    head.projectPath = r.projectPath ?? '';
    head.lastActivity = r.lastActivity ?? '';
  }
  const tools = r.toolBreakdowns.map((t) => {
    const { totalCost, ...rest } = sums({ ...t, totalCost: t.cost });
    return { tool: t.tool, ...rest, cost: totalCost };
  });
  return {
    ...head, ...sums(r), modelsUsed: r.modelsUsed, modelBreakdowns: r.modelBreakdowns.map(breakdown), toolBreakdowns: tools,
    ...(r.modelFallback ? { modelFallback: true } : {}),
  };
}

export function reportJson(report: Report): unknown {
  return {
    [listName[report.period]]: report.rows.map((r) => row(report.period, r)),
    totals: sums(report.totals),
  };
}
