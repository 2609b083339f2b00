// The blocks report as a table (full, or compact for narrow terminals) and as CSV, with times in the zone asked for.
import Table from 'cli-table3';
import pc from 'picocolors';
import type { blocksReport } from '../core/blocks-report.js';
import { LOCAL_ZONE } from '../core/time.js';
import { printable } from '../core/text.js';
import { colorEnabled, formatCompact } from './render-table.js';

type Report = ReturnType<typeof blocksReport>;

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '' : `${v.toFixed(1)}%`);

function duration(ms: number): string {
  const m = Math.max(Math.round(ms / 60_000), 0);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `YYYY-MM-DD HH:MM` of an instant in a zone (LOCAL_ZONE: the process's own). */
export function zonedTime(iso: string, zone: string): string {
  const d = new Date(iso);
  const p = (x: number) => String(x).padStart(2, '0');
  if (zone === LOCAL_ZONE) return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export interface BlocksRenderOptions {
  now: number;
  zone: string;
  compact: boolean;
}

export function renderBlocksTable(report: Report, o: BlocksRenderOptions): string {
  const color = colorEnabled(process.stdout);
  const paint = (s: string, f: (x: string) => string) => (color ? f(s) : s);
  const time = (iso: string) => zonedTime(iso, o.zone);
  const today = time(new Date(o.now).toISOString()).slice(0, 10);
  const plan = report.limit?.cost !== undefined;
  const limitHead = `% of limit${report.limit ? ` (${n(report.limit.tokens)}, ${report.limit.source})` : ''}`;
  const head = o.compact
    ? ['Block start', 'Status', 'Tokens', '% limit', 'Cost']
    : ['Block start', 'Status', 'Models', 'Tokens', limitHead, ...(plan ? [`% of $${report.limit!.cost}`, `% of ${n(report.limit!.messages!)} msgs`] : []), 'Official %', 'Cost', 'Burn rate'];
  const table = new Table({ head, style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] } });
  const blank = (cells: string[]) => [...cells, ...Array<string>(head.length - cells.length).fill('')];
  const heat = (v: number | null) => (v === null ? '' : paint(pct(v), v >= 80 ? pc.red : v >= 60 ? pc.yellow : (s: string) => s));
  for (const b of report.blocks) {
    if (b.isGap) {
      table.push(blank([paint(time(b.startTime!), pc.gray), paint(`gap ${duration(Date.parse(b.endTime!) - Date.parse(b.startTime!))}`, pc.gray)]));
      continue;
    }
    const status = b.isActive
      ? paint(`ACTIVE, ${duration(Date.parse(b.endTime!) - o.now)} left`, pc.green)
      : duration(Date.parse(b.actualEndTime!) - Date.parse(b.startTime!));
    const cost = `$${b.costUSD.toFixed(2)}`;
    if (o.compact) table.push([time(b.startTime!), status, formatCompact(b.totalTokens), heat(b.limitUsedPercent), cost]);
    else {
      table.push([
        time(b.startTime!), status, printable(b.models.join(', ')), n(b.totalTokens), heat(b.limitUsedPercent),
        ...(plan ? [heat(b.limitCostPercent), heat(b.limitMessagesPercent)] : []), pct(b.official?.usedPercent),
        cost, b.burnRate ? `${n(b.burnRate.tokensPerMinute)} tok/min, $${b.burnRate.costPerHour.toFixed(2)}/h` : '',
      ]);
    }
    if (b.projection) {
      // When the limit comes at this pace (only if before the reset); with its day when that is not today.
      const at = b.limitReachedAt ? time(b.limitReachedAt) : null;
      const limitAt = at ? paint(`limit ${at.slice(0, 10) === today ? at.slice(11) : at.slice(5)}`, pc.yellow) : '';
      const projected = [paint('projected', pc.gray), paint((o.compact ? formatCompact : n)(b.projection.totalTokens), pc.gray), limitAt];
      table.push(o.compact
        ? ['', projected[0]!, projected[1]!, limitAt, paint(`$${b.projection.totalCost.toFixed(2)}`, pc.gray)]
        : blank(['', projected[0]!, '', projected[1]!, limitAt, ...(plan ? ['', ''] : []), '', paint(`$${b.projection.totalCost.toFixed(2)}`, pc.gray)]));
    }
  }
  return table.toString();
}

const field = (v: string | number | null | undefined) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per block (gaps included), RFC 4180, times in ISO 8601 UTC. */
export function renderBlocksCsv(report: Report): string {
  const head = ['block_start', 'block_end', 'actual_end', 'kind', 'models', 'input_tokens', 'output_tokens', 'cache_creation_tokens',
    'cache_read_tokens', 'total_tokens', 'requests', 'cost_usd', 'limit_used_percent', 'limit_cost_percent', 'limit_messages_percent',
    'official_percent', 'tokens_per_minute', 'cost_per_hour'];
  const rows = report.blocks.map((b) => [
    b.startTime, b.endTime, b.actualEndTime, b.isGap ? 'gap' : b.isActive ? 'active' : 'done', b.models.join(' '),
    b.tokenCounts.inputTokens, b.tokenCounts.outputTokens, b.tokenCounts.cacheCreationInputTokens, b.tokenCounts.cacheReadInputTokens,
    b.totalTokens, b.entries, b.costUSD, b.limitUsedPercent, b.limitCostPercent, b.limitMessagesPercent, b.official?.usedPercent,
    b.burnRate?.tokensPerMinute, b.burnRate?.costPerHour,
  ]);
  return [head, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
