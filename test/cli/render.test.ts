import { describe, expect, it } from 'vitest';
import { buildReport, emptySums } from '../../src/core/report.js';
import { renderCsv } from '../../src/cli/render-csv.js';
import { reportJson } from '../../src/cli/render-json.js';
import { formatCompact, renderTable, shortModel } from '../../src/cli/render-table.js';
import type { UsageRow } from '../../src/store/store.js';

const row = (over: Partial<UsageRow>): UsageRow => ({
  group: 20_514, model: 'claude-sonnet-4-5-20250929', project: '/home/ana/api', lastTs: Date.parse('2026-03-02T14:00:00Z'),
  requests: 3, input: 12, output: 600, cacheRead: 120_000, cacheWrite5m: 5_000, cacheWrite1h: 1_000, reasoning: 0,
  calcCost: 0.5, calcUnknown: 0, reportedCost: 0, autoCost: 0.5, autoUnknown: 0, fallbackRequests: 0, unknownTokenRequests: 0, credits: 0, tool: 'claude-code', ...over,
});

const report = buildReport(
  [row({}), row({ model: 'claude-opus-4-8', autoCost: 1.25, calcCost: 1.25 }), row({ group: 20_515, model: 'mystery', autoCost: 0, autoUnknown: 2, calcUnknown: 2 })],
  { period: 'daily', mode: 'auto', timeZone: 'UTC', startOfWeek: 'sunday', order: 'asc' },
);

describe('JSON output', () => {
  it("uses ccusage's field names, with the finer split beside them", () => {
    const out = reportJson(report) as { daily: Array<Record<string, unknown>>; totals: Record<string, unknown> };
    expect(Object.keys(out)).toEqual(['daily', 'totals']);
    const day = out.daily[0]!;
    expect(day).toMatchObject({
      date: '2026-03-02', inputTokens: 24, outputTokens: 1200, cacheCreationTokens: 12_000, cacheReadTokens: 240_000,
      totalTokens: 253_224, totalCost: 1.75, cacheCreation5mTokens: 10_000, cacheCreation1hTokens: 2_000, requests: 6,
      costUnknown: false, modelsUsed: ['claude-opus-4-8', 'claude-sonnet-4-5-20250929'],
    });
    expect((day.modelBreakdowns as Array<Record<string, unknown>>)[0]).toMatchObject({ modelName: 'claude-opus-4-8', cost: 1.25, inputTokens: 12 });
    expect(out.daily[1]).toMatchObject({ date: '2026-03-03', costUnknown: true });
    expect(out.totals).toMatchObject({ totalTokens: 379_836, costUnknown: true });
    expect(report.unknownModels).toEqual(['mystery']);
  });
});

describe('tables', () => {
  it('fits 80 columns in the compact layout and marks unknown costs', () => {
    const text = renderTable(report, { compact: true, breakdown: true, color: false });
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(text).toContain('$0.00?');
    expect(text).toContain('└ opus-4-8');
  });

  it('shows full numbers with separators in the wide layout', () => {
    const text = renderTable(report, { compact: false, breakdown: false, color: false });
    expect(text).toContain('240,000');
    expect(text).toContain('Cache Read');
  });

  it('formats compact numbers and short model names', () => {
    expect([formatCompact(999), formatCompact(12_345), formatCompact(4_560_000), formatCompact(1_204_000_000)]).toEqual(['999', '12.3k', '4.56M', '1.20B']);
    expect(shortModel('claude-sonnet-4-5-20250929')).toBe('sonnet-4-5');
  });
});

describe('totals', () => {
  it('hold the sums and nothing else', () => {
    expect(Object.keys(report.totals).sort()).toEqual(Object.keys(emptySums()).sort());
  });
});

describe('CSV', () => {
  it('writes a header and a row per period, or per model with breakdown, quoting where needed', () => {
    const csv = renderCsv(report, false).split('\r\n');
    expect(csv[0]).toBe('date,model,input_tokens,output_tokens,cache_creation_tokens,cache_creation_5m_tokens,cache_creation_1h_tokens,cache_read_tokens,reasoning_tokens,total_tokens,requests,cost_usd,cost_unknown');
    expect(csv[1]).toBe('2026-03-02,claude-opus-4-8 claude-sonnet-4-5-20250929,24,1200,12000,10000,2000,240000,0,253224,6,1.75,false');
    expect(csv[2]).toMatch(/^2026-03-03,mystery,.*,true$/);
    expect(csv.at(-1)).toBe('');
    const rows = renderCsv(report, true).split('\r\n');
    expect(rows.slice(1, 3).map((l) => l.split(',')[1])).toEqual(['claude-opus-4-8', 'claude-sonnet-4-5-20250929']);
    const sessions = buildReport([row({ group: 's,1', project: '/home/ana/my "app"' })], { period: 'session', mode: 'auto', timeZone: 'UTC', startOfWeek: 'sunday', order: 'asc' });
    expect(renderCsv(sessions, false).split('\r\n')[1]).toMatch(/^"s,1","\/home\/ana\/my ""app""",2026-03-02,/);
  });
});
