// CSV for spreadsheets (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes or line breaks quoted).
import { roundUsd } from '../core/pricing.js';
import type { Report } from '../core/report.js';

const labels: Record<Report['period'], string> = { daily: 'date', weekly: 'week', monthly: 'month', session: 'session_id' };

function field(v: string | number | boolean): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One row per period (and per model under it with `breakdown`); costs in USD to 1e-8. */
export function renderCsv(report: Report, breakdown: boolean): string {
  const head = [labels[report.period], ...(report.period === 'session' ? ['project_path', 'last_activity'] : []), 'model',
    'input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_creation_5m_tokens', 'cache_creation_1h_tokens',
    'cache_read_tokens', 'reasoning_tokens', 'total_tokens', 'requests', 'cost_usd', 'cost_unknown'];
  const lines = [head];
  for (const r of report.rows) {
    const lead = [r.key, ...(report.period === 'session' ? [r.projectPath ?? '', r.lastActivity ?? ''] : [])];
    const parts = breakdown
      ? r.modelBreakdowns.map((b) => ({ model: b.modelName, s: b, cost: b.cost }))
      : [{ model: r.modelsUsed.join(' '), s: r, cost: r.totalCost }];
    for (const { model, s, cost } of parts) {
      lines.push([...lead, model, s.inputTokens, s.outputTokens, s.cacheCreationTokens, s.cacheCreation5mTokens,
        s.cacheCreation1hTokens, s.cacheReadTokens, s.reasoningTokens, s.totalTokens, s.requests, roundUsd(cost), s.costUnknown].map(String));
    }
  }
  return lines.map((l) => l.map(field).join(',')).join('\r\n') + '\r\n';
}
