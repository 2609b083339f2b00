// --chart: the report as horizontal bars, one per period: tokens stacked by type (input, output, cache write, cache
// read), or cost.
import type { Report } from '../core/report.js';
import { thousands } from './statusline-format.js';

/** Each type its own block, so that the bar reads without colour too. */
const PARTS = [
  ['inputTokens', '█', '34', 'input'],
  ['outputTokens', '▓', '33', 'output'],
  ['cacheCreationTokens', '▒', '35', 'cache write'],
  ['cacheReadTokens', '░', '32', 'cache read'],
] as const;

export function renderChart(report: Report, metric: 'tokens' | 'cost', width: number, color: boolean): string {
  const paint = (code: string, s: string) => (color && s ? `\x1b[${code}m${s}\x1b[0m` : s);
  const label = Math.max(...report.rows.map((r) => r.key.length), 5);
  const value = (v: number) => (metric === 'cost' ? `$${v.toFixed(2)}` : thousands(v));
  const values = report.rows.map((r) => (metric === 'cost' ? r.totalCost : r.totalTokens));
  const valueWidth = Math.max(...values.map((v) => value(v).length), 4);
  const barWidth = Math.max(width - label - valueWidth - 3, 10);
  const max = Math.max(...values, metric === 'cost' ? 0.01 : 1);
  const lines = report.rows.map((r, i) => {
    const total = Math.round((values[i]! / max) * barWidth);
    let bar = '';
    if (metric === 'cost') bar = paint('31', '█'.repeat(total));
    else {
      // Each type's share of the bar, rounded so the parts add up to the whole.
      let used = 0;
      let acc = 0;
      for (const [key, ch, code] of PARTS) {
        acc += r[key];
        const upTo = r.totalTokens > 0 ? Math.round((acc / r.totalTokens) * total) : 0;
        bar += paint(code, ch.repeat(Math.max(upTo - used, 0)));
        used = Math.max(upTo, used);
      }
    }
    return `${r.key.padEnd(label)} ${bar}${' '.repeat(Math.max(barWidth - total, 0))} ${value(values[i]!).padStart(valueWidth)}`;
  });
  if (metric === 'tokens') lines.push(`${' '.repeat(label + 1)}${PARTS.map(([, ch, code, name]) => `${paint(code, ch)} ${name}`).join(' ')}`);
  return lines.join('\n');
}
