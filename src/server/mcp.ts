// The Model Context Protocol server (official SDK): assistants ask "how much have I spent today?" and get the same
// figures as the reports, over stdio (`tokenmeter mcp`) or the daemon's /mcp (Streamable HTTP, behind its Guard).
// Each tool answers with JSON (structuredContent) and a short text rendering of it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { budgetUseJson, calendarPeriod, type Budget } from '../core/budgets.js';
import { totalTokens } from '../core/event.js';
import { buildReport, type Period } from '../core/report.js';
import { LOCAL_ZONE, offsetSegments } from '../core/time.js';
import type { BreakdownKey, ViewStore } from '../store/store.js';
import { budgetUses } from './budgets.js';
import { statusData, sumOver } from './status.js';

export interface McpDeps {
  /** The figures (the local index, or the pooled store in fleet mode), brought up to date before each answer. */
  withStore: <T>(fn: (store: ViewStore) => Promise<T>) => Promise<T>;
  budgets: () => Budget[];
  version: string;
  now?: () => number;
}

const usd = (v: number) => `$${v.toFixed(2)}`;
const n = (v: number) => Math.round(v).toLocaleString('en-US');
const answer = (data: Record<string, unknown>, text: string) => ({ content: [{ type: 'text' as const, text }], structuredContent: data });

export function buildMcpServer(d: McpDeps): McpServer {
  const server = new McpServer({ name: 'tokenmeter', version: d.version });
  const now = () => d.now?.() ?? Date.now();

  server.registerTool('usage_summary', {
    title: 'Usage summary', description: 'Tokens and cost today, this week (from Monday), this month, and in a session if given',
    inputSchema: { session_id: z.string().optional().describe('a session id, for its cost too') },
  }, async ({ session_id }) => d.withStore(async (store) => {
    const t = now();
    const [today, week, month] = await Promise.all((['day', 'week', 'month'] as const).map((p) => sumOver(store, { fromTs: calendarPeriod(p, t, LOCAL_ZONE).start })));
    const session = session_id ? await sumOver(store, { session: session_id }) : null;
    const data = { today, week, month, session };
    const line = (label: string, s: { tokens: number; cost: number; requests: number }) => `${label}: ${usd(s.cost)}, ${n(s.tokens)} tokens, ${n(s.requests)} requests`;
    return answer(data, [line('today', today!), line('this week', week!), line('this month', month!), ...(session ? [line(`session ${session_id}`, session)] : [])].join('\n'));
  }));

  server.registerTool('usage_report', {
    title: 'Usage report', description: 'Usage by day, week, month or session (as `tokenmeter daily`…), or by project or model',
    inputSchema: {
      period: z.enum(['day', 'week', 'month', 'session', 'project', 'model']), since: z.string().optional().describe('YYYY-MM-DD'),
      until: z.string().optional().describe('YYYY-MM-DD, included'), tool: z.string().optional(),
    },
  }, async ({ period, since, until, tool }) => d.withStore(async (store) => {
    const fromTs = since ? Date.parse(`${since}T00:00:00`) : undefined;
    const toTs = until ? Date.parse(`${until}T00:00:00`) + 86_400_000 : undefined;
    if ((since && !Number.isFinite(fromTs)) || (until && !Number.isFinite(toTs))) throw new Error('since and until are days as YYYY-MM-DD');
    const filter = { fromTs, toTs, tool: tool && tool !== 'all' ? tool : undefined };
    if (period === 'project' || period === 'model') {
      const rows = (await store.breakdown(filter, period as BreakdownKey)).map((r) => ({ key: r.key, requests: r.requests, tokens: totalTokens(r), cost: r.cost }));
      return answer({ period, rows }, rows.map((r) => `${r.key || '(none)'}: ${usd(r.cost)}, ${n(r.tokens)} tokens`).join('\n') || 'no usage');
    }
    const grouping = period === 'session' ? { by: 'session' as const } : { by: 'day' as const, offsets: offsetSegments(LOCAL_ZONE, (fromTs ?? 0) - 86_400_000, (toTs ?? now()) + 86_400_000) };
    const rows = await store.usage(filter, grouping);
    const map: Record<string, Period> = { day: 'daily', week: 'weekly', month: 'monthly', session: 'session' };
    const report = buildReport(rows, { period: map[period]!, mode: 'auto', timeZone: LOCAL_ZONE, startOfWeek: 'monday', order: 'asc' });
    const out = report.rows.map((r) => ({ key: r.key, requests: r.requests, tokens: r.totalTokens, cost: r.totalCost, models: r.modelsUsed }));
    return answer({ period, rows: out, totals: { tokens: report.totals.totalTokens, cost: report.totals.totalCost } },
      [...out.map((r) => `${r.key}: ${usd(r.cost)}, ${n(r.tokens)} tokens`), `total: ${usd(report.totals.totalCost)}`].join('\n'));
  }));

  server.registerTool('current_window', {
    title: '5-hour window', description: "A tool's 5-hour window: used %, official or estimated, reset time, burn rate, when the limit is reached",
    inputSchema: { tool: z.string().optional().describe('default claude-code') },
  }, async ({ tool }) => d.withStore(async (store) => {
    const s = await statusData(store, {}, { tool: tool ?? 'claude-code', now: now() });
    const w = s.window;
    const data = { tool: tool ?? 'claude-code', window: w ? { ...w, resetsAt: new Date(w.resetsAt).toISOString(), limitAt: w.limitAt ? new Date(w.limitAt).toISOString() : null } : null, rate: s.rate };
    return answer(data, w
      ? `${Math.round(w.usedPercent)}% used (${w.source}), resets ${new Date(w.resetsAt).toISOString()}${w.limitAt ? `, limit reached about ${new Date(w.limitAt).toISOString()}` : ''}; ${n(s.rate.tokensPerMinute)} tokens/min`
      : 'no active window');
  }));

  server.registerTool('budgets', { title: 'Budgets', description: "Each budget's use this period", inputSchema: {} }, async () => d.withStore(async (store) => {
    const uses = await budgetUses(store, d.budgets(), { now: now(), timeZone: LOCAL_ZONE });
    return answer({ budgets: uses.map(budgetUseJson) },
      uses.map((u) => `${u.name} (${u.period}): ${u.spent ? 'spent' : `${Math.round(u.ratio * 100)}%`}`).join('\n') || 'no budgets');
  }));

  server.registerTool('session_cost', {
    title: 'Session cost', description: 'Tokens and cost of one session', inputSchema: { session_id: z.string() },
  }, async ({ session_id }) => d.withStore(async (store) => {
    const s = await sumOver(store, { session: session_id });
    return answer({ session_id, ...s }, `session ${session_id}: ${usd(s.cost)}, ${n(s.tokens)} tokens, ${n(s.requests)} requests`);
  }));
  return server;
}
