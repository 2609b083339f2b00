import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/cli/render-chart.js';
import { emptySums, type Report } from '../../src/core/report.js';

function report(rows: Array<[string, number, number, number, number, number]>): Report {
  return {
    period: 'daily', unknownModels: [], totals: emptySums(),
    rows: rows.map(([key, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, totalCost]) => ({
      ...emptySums(), key, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, totalCost,
      totalTokens: inputTokens + outputTokens + cacheCreationTokens + cacheReadTokens, modelsUsed: [], modelBreakdowns: [], toolBreakdowns: [], modelFallback: false,
    })),
  };
}

describe('--chart', () => {
  const r = report([['2026-03-01', 100, 100, 0, 800, 2], ['2026-03-02', 50, 50, 100, 300, 4]]);

  it('draws one bar per period, the largest across the width, split by token type', () => {
    const lines = renderChart(r, 'tokens', 50, false).split('\n');
    expect(lines).toHaveLength(3);
    // 50 columns - 10 for the label - 5 for "1,000" - 3 spaces = 32 for the largest bar.
    expect(lines[0]).toBe(`2026-03-01 ${'█'.repeat(3)}${'▓'.repeat(3)}${'░'.repeat(26)} 1,000`);
    // Half as long; each type's boundary rounded from the running sum, so the parts fill exactly 16.
    expect(lines[1]).toBe(`2026-03-02 ${'█'.repeat(2)}${'▓'.repeat(1)}${'▒'.repeat(3)}${'░'.repeat(10)}${' '.repeat(16)}   500`);
    // Without colour, each type has a block of its own in the legend too.
    expect(lines[2]).toBe(`${' '.repeat(11)}█ input ▓ output ▒ cache write ░ cache read`);
  });

  it('draws cost when asked', () => {
    const lines = renderChart(r, 'cost', 40, false).split('\n');
    // 40 columns - 10 for the label - 5 for "$4.00" - 3 spaces = 22.
    expect(lines).toEqual([`2026-03-01 ${'█'.repeat(11)}${' '.repeat(11)} $2.00`, `2026-03-02 ${'█'.repeat(22)} $4.00`]);
  });
});
