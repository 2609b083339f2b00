// daily | weekly | monthly | session: refresh the index, sum, render.
import { buildReport, startOfDay, type CostMode, type Period } from '../core/report.js';
import { addDays, assertTimeZone, DateArgError, LOCAL_ZONE, offsetSegments, parseDateArg, WEEKDAYS, type Weekday } from '../core/time.js';
import type { UsageFilter, UsageRow } from '../store/store.js';
import { withIndex } from './index-access.js';
import { UsageError } from './usage-error.js';
import { renderCsv } from './render-csv.js';
import { reportJson } from './render-json.js';

export interface ReportFlags {
  since?: string;
  until?: string;
  tz?: string;
  project?: string;
  tool?: string;
  breakdown?: boolean;
  json?: boolean;
  csv?: boolean;
  compact?: boolean;
  chart?: boolean | 'tokens' | 'cost';
  mode?: string;
  order?: string;
  startOfWeek?: string;
  verbose?: boolean;
  /** Fleet mode: the pooled store (or "local"). */
  store?: string;
  /** Only this host's usage. */
  host?: string;
}


function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
}

export async function runReport(period: Period, flags: ReportFlags): Promise<void> {
  let timeZone: string;
  let filter: UsageFilter;
  let mode: CostMode;
  let startOfWeek: Weekday;
  let order: 'asc' | 'desc';
  try {
    timeZone = assertTimeZone(flags.tz ?? process.env.TOKENMETER_TZ ?? LOCAL_ZONE);
    mode = oneOf(flags.mode, ['auto', 'calculate', 'display'] as const, 'auto', '--mode');
    startOfWeek = oneOf(flags.startOfWeek, WEEKDAYS, 'monday', '--start-of-week');
    order = oneOf(flags.order, ['asc', 'desc'] as const, 'asc', '--order');
    filter = {};
    if (flags.since) filter.fromTs = startOfDay(parseDateArg(flags.since, '--since'), timeZone);
    if (flags.until) filter.toTs = startOfDay(addDays(parseDateArg(flags.until, '--until'), 1), timeZone);
    if (flags.project) filter.project = flags.project;
    if (flags.tool && flags.tool !== 'all') filter.tool = flags.tool;
    if (flags.host) filter.host = flags.host;
  } catch (e) {
    if (e instanceof DateArgError) throw new UsageError(e.message);
    throw e;
  }

  await withIndex({ verbose: flags.verbose, store: flags.store }, async (store) => {
    let rows: UsageRow[] = [];
    if (period === 'session') rows = await store.usage(filter, { by: 'session' });
    else {
      const range = await store.timeRange(filter);
      if (range) rows = await store.usage(filter, { by: 'day', offsets: offsetSegments(timeZone, range.from, range.to) });
    }
    const report = buildReport(rows, { period, mode, timeZone, startOfWeek, order });
    if (report.unknownModels.length > 0) {
      process.stderr.write(`tokenmeter: no price known for ${report.unknownModels.join(', ')}; their cost is left out (marked "?")\n`);
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(reportJson(report, filter.tool), null, 2)}\n`);
    } else if (flags.csv) {
      process.stdout.write(renderCsv(report, flags.breakdown ?? false));
    } else if (report.rows.length === 0) {
      process.stdout.write('No usage found for this period.\n');
    } else if (flags.chart) {
      const { colorEnabled } = await import('./render-table.js');
      const { renderChart } = await import('./render-chart.js');
      const width = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || 80;
      process.stdout.write(`${renderChart(report, flags.chart === 'cost' ? 'cost' : 'tokens', width, colorEnabled(process.stdout))}\n`);
    } else {
      const { colorEnabled, renderTable, wantsCompact } = await import('./render-table.js');
      const color = colorEnabled(process.stdout);
      const compact = wantsCompact(flags.compact ?? false, process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || undefined);
      process.stdout.write(`${renderTable(report, { compact, breakdown: flags.breakdown ?? false, color })}\n`);
    }
  });
}
