// The blocks report as a table.
import Table from 'cli-table3';
import pc from 'picocolors';
import type { blocksReport } from '../core/blocks-report.js';
import { colorEnabled } from './render-table.js';
import { printable } from '../core/text.js';

type Report = ReturnType<typeof blocksReport>;

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '' : `${v.toFixed(1)}%`);

function duration(ms: number): string {
  const m = Math.max(Math.round(ms / 60_000), 0);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function renderBlocksTable(report: Report, now: number): string {
  const color = colorEnabled(process.stdout);
  const paint = (s: string, f: (x: string) => string) => (color ? f(s) : s);
  const table = new Table({
    head: ['Block start', 'Status', 'Models', 'Tokens', `% of limit${report.limit ? ` (${n(report.limit.tokens)}, ${report.limit.source})` : ''}`, 'Official %', 'Cost', 'Burn rate'],
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] },
  });
  for (const b of report.blocks) {
    if (b.isGap) {
      table.push([paint(localTime(b.startTime!), pc.gray), paint(`gap ${duration(Date.parse(b.endTime!) - Date.parse(b.startTime!))}`, pc.gray), '', '', '', '', '', '']);
      continue;
    }
    const status = b.isActive
      ? paint(`ACTIVE, ${duration(Date.parse(b.endTime!) - now)} left`, pc.green)
      : duration(Date.parse(b.actualEndTime!) - Date.parse(b.startTime!));
    const used = b.limitUsedPercent;
    const usedText = used === null ? '' : paint(pct(used), used >= 80 ? pc.red : used >= 60 ? pc.yellow : (s: string) => s);
    table.push([
      localTime(b.startTime!), status, printable(b.models.join(', ')), n(b.totalTokens), usedText, pct(b.official?.usedPercent),
      `$${b.costUSD.toFixed(2)}`, b.burnRate ? `${n(b.burnRate.tokensPerMinute)} tok/min, $${b.burnRate.costPerHour.toFixed(2)}/h` : '',
    ]);
    if (b.projection) {
      table.push(['', paint('projected', pc.gray), '', paint(n(b.projection.totalTokens), pc.gray), b.limitReachedAt ? paint(`limit at ${localTime(b.limitReachedAt).slice(11)}`, pc.yellow) : '', '', paint(`$${b.projection.totalCost.toFixed(2)}`, pc.gray), '']);
    }
  }
  return table.toString();
}
