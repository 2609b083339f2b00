// Budgets as the config states them: what is accepted and what is said about the rest, the calendar periods in the
// user's zone, and the share used of each limit.
import { describe, expect, it } from 'vitest';
import { budgetJson, budgetUse, calendarPeriod, parseBudgets } from '../../src/core/budgets.js';

describe('budgets', () => {
  it('are read with their defaults, and a wrong one is said with where it is', () => {
    expect(parseBudgets([{ name: 'daily', period: 'day', usd: 20 }, { name: 'win', period: '5h', percent: 80, tool: 'claude-code', enforce: true, alertAt: [100, 50] }], 'config.json')).toEqual([
      { name: 'daily', period: 'day', usd: 20, alertAt: [80, 100], enforce: false },
      { name: 'win', period: '5h', percent: 80, tool: 'claude-code', alertAt: [50, 100], enforce: true },
    ]);
    const bad = (b: unknown) => () => parseBudgets([b], 'config.json');
    expect(bad({ name: 'x', period: 'fortnight', usd: 1 })).toThrow('config.json: budgets[0].period must be one of day, week, month, 5h');
    expect(bad({ name: 'x', period: 'day' })).toThrow('config.json: budgets[0] sets no limit: give usd, tokens or percent');
    expect(bad({ name: 'x', period: 'day', usd: -3 })).toThrow('budgets[0].usd must be a positive number, got -3');
    expect(bad({ name: 'x', period: 'month', percent: 50 })).toThrow('percent is a share of the official 5-hour or weekly window');
    expect(bad({ name: 'x', period: 'day', usd: 1, limit: 3 })).toThrow('budgets[0]: unknown field limit');
    expect(() => parseBudgets([{ name: 'x', period: 'day', usd: 1 }, { name: 'x', period: 'week', usd: 5 }], 'c')).toThrow('budgets[1].name: "x" is named twice');
    expect(budgetJson(parseBudgets([{ name: 'd', period: 'day', usd: 2 }], 'c')[0]!)).toEqual({ name: 'd', period: 'day', usd: 2 });
  });

  it('cover the day, the week from Monday and the month in the user’s zone', () => {
    const now = Date.parse('2026-12-02T23:30:00Z'); // a Wednesday; already Thursday in Tokyo
    expect(calendarPeriod('day', now, 'UTC')).toEqual({ start: Date.parse('2026-12-02T00:00:00Z'), end: Date.parse('2026-12-03T00:00:00Z') });
    expect(calendarPeriod('day', now, 'Asia/Tokyo')).toEqual({ start: Date.parse('2026-12-02T15:00:00Z'), end: Date.parse('2026-12-03T15:00:00Z') });
    expect(calendarPeriod('week', now, 'UTC')).toEqual({ start: Date.parse('2026-11-30T00:00:00Z'), end: Date.parse('2026-12-07T00:00:00Z') });
    expect(calendarPeriod('month', now, 'America/New_York')).toEqual({ start: Date.parse('2026-12-01T05:00:00Z'), end: Date.parse('2027-01-01T05:00:00Z') });
  });

  it('are as used as their most used limit', () => {
    const [b] = parseBudgets([{ name: 'd', period: '5h', usd: 10, tokens: 1000, percent: 50 }], 'c');
    const period = { start: 0, end: 1 };
    expect(budgetUse(b!, period, { usd: 2, tokens: 500, percent: 40 })).toMatchObject({ ratio: 0.8, spent: false, limits: { usd: 10, tokens: 1000, percent: 50 } });
    expect(budgetUse(b!, period, { usd: 12, tokens: 10, percent: null })).toMatchObject({ ratio: 1.2, spent: true, percent: null });
  });
});
