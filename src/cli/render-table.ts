// Report tables for a terminal. The full layout needs ~120 columns; below that (or with --compact) a layout that
// fits 80 columns drops the cache columns and shortens numbers.
import Table from 'cli-table3';
import pc from 'picocolors';
import type { ModelBreakdown, Report, ReportRow, Sums } from '../core/report.js';
import { printable } from '../core/text.js';

export interface TableOptions {
  compact: boolean;
  breakdown: boolean;
  color: boolean;
}

const FULL_MIN_COLUMNS = 120;

export function wantsCompact(forced: boolean, columns: number | undefined): boolean {
  return forced || (columns ?? 80) < FULL_MIN_COLUMNS;
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const grouping = new Intl.NumberFormat('en-US');

export function formatNumber(n: number): string {
  return grouping.format(Math.round(n));
}

/** 999, 12.3k, 4.56M, 1.20B: at most 6 characters. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const units: Array<[number, string]> = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const v = n / size;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
    }
  }
  return String(Math.round(n));
}

export function formatCost(usd: number, unknown = false): string {
  return `$${usd.toFixed(2)}${unknown ? '?' : ''}`;
}

/** claude-sonnet-4-5-20250929 → sonnet-4-5. */
export function shortModel(model: string): string {
  return model.replace(/^claude-/, '').replace(/-\d{8}$/, '');
}

const labels: Record<Report['period'], string> = { daily: 'Date', weekly: 'Week', monthly: 'Month', session: 'Session' };

export function renderTable(report: Report, opts: TableOptions): string {
  const c = pc.createColors(opts.color);
  const num = opts.compact ? formatCompact : formatNumber;
  const isSession = report.period === 'session';
  const head = [labels[report.period]];
  if (isSession) head.push('Project');
  if (!opts.compact || !isSession) head.push('Models');
  head.push('Input', 'Output');
  if (!opts.compact) head.push('Cache Create', 'Cache Read');
  head.push(opts.compact ? 'Total' : 'Total Tokens', 'Cost (USD)');

  const numericFrom = head.indexOf('Input');
  const table = new Table({
    head: head.map((h) => c.cyan(h)),
    style: { head: [], border: [], compact: false },
    colAligns: head.map((_, i) => (i >= numericFrom ? 'right' : 'left')),
    wordWrap: true,
    colWidths: opts.compact ? head.map((h) => (h === 'Models' ? 20 : h === 'Project' ? 16 : null)) as number[] : [],
  });

  const cells = (label: string[], s: Sums | ModelBreakdown, cost: number) => {
    const row = [...label];
    // `?` after counts that leave out records whose tokens are unknown (only their cost is).
    const n = (v: number) => (s.tokensUnknown ? `${num(v)}?` : num(v));
    row.push(n(s.inputTokens), n(s.outputTokens));
    if (!opts.compact) row.push(n(s.cacheCreationTokens), n(s.cacheReadTokens));
    row.push(n(s.totalTokens), formatCost(cost, s.costUnknown));
    return row;
  };
  const labelCols = (first: string) => [first, ...Array<string>(numericFrom - 1).fill('')];
  // Keys, projects and models come from logs: shown, never obeyed by the terminal.
  const firstCols = (r: ReportRow): string[] => {
    const models = printable(r.modelsUsed.map(shortModel).join(', '));
    if (isSession) {
      const project = printable((r.projectPath ?? '').split(/[\\/]/).filter(Boolean).pop() ?? '');
      const key = printable(r.key.slice(0, 8));
      const label = opts.compact ? `${key}\n${r.lastActivity}` : `${key} ${r.lastActivity}`;
      return opts.compact ? [label, project] : [label, project, models];
    }
    return [printable(r.key), models];
  };

  for (const r of report.rows) {
    table.push(cells(firstCols(r), r, r.totalCost));
    if (opts.breakdown) {
      for (const b of r.modelBreakdowns) {
        table.push(cells(labelCols(`  └ ${printable(shortModel(b.modelName))}`), b, b.cost).map((x) => c.dim(x)));
      }
    }
  }
  table.push(cells(labelCols('Total'), report.totals, report.totals.totalCost).map((x) => c.yellow(c.bold(x))));
  return table.toString();
}
