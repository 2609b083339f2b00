import { describe, expect, it } from 'vitest';
import { formatStatusLine } from '../../src/cli/statusline-format.js';
import type { StatusData } from '../../src/server/status.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const data = (usedPercent: number, source: 'official' | 'estimated' | 'limit' = 'official'): StatusData => ({
  model: 'Opus 4.5', session: { cost: 0.153, tokens: 54231 }, today: { cost: 3.4, tokens: 812_000 },
  rate: { tokensPerMinute: 850.4, costPerHour: 1.2 },
  window: { usedPercent, resetsAt: NOW + (3 * 60 + 45) * 60_000, source, tokens: 1, cost: 1, limitAt: null, basis: 'x' }, weekly: null, context: null, budget: null,
});

describe('status line text', () => {
  it('reads like the seeds: model, costs, tokens, burn rate, light, percentage and time to reset', () => {
    expect(formatStatusLine(data(38), { now: NOW })).toBe('🤖 Opus 4.5 | 💰 $0.15 session / $3.40 today | 📊 54,231 tokens | 🔥 850 tok/min | 🟢 38% 5h (3h45m)');
  });

  it('turns yellow at 60 % and red at 80 % (or where configured), marks estimates with ~, and colours on request', () => {
    expect(formatStatusLine(data(60), { now: NOW, format: '{window}' })).toBe('🟡 60% 5h (3h45m)');
    expect(formatStatusLine(data(80, 'estimated'), { now: NOW, format: '{window}' })).toBe('🔴 ~80% 5h (3h45m)');
    expect(formatStatusLine(data(50), { now: NOW, format: '{window}', thresholds: [40, 90] })).toBe('🟡 50% 5h (3h45m)');
    expect(formatStatusLine(data(85), { now: NOW, format: '{window}', emoji: false, color: true })).toBe('\x1b[31m85% 5h (3h45m)\x1b[0m');
  });

  it('shows the context window Claude Code sends, with the same thresholds and colours, in the default line', () => {
    expect(formatStatusLine({ ...data(38), context: 22 }, { now: NOW })).toBe('🤖 Opus 4.5 | 💰 $0.15 session / $3.40 today | 📊 54,231 tokens | 🧠 22% context | 🔥 850 tok/min | 🟢 38% 5h (3h45m)');
    expect(formatStatusLine({ ...data(38), context: 83.6 }, { now: NOW, format: '{context}', color: true })).toBe('🧠 \x1b[31m84% context\x1b[0m');
    expect(formatStatusLine({ ...data(38), context: 64 }, { now: NOW, format: '{context}', emoji: false })).toBe('64% context');
  });

  it('shows the most used budget that covers the session, with the same thresholds, on request', () => {
    expect(formatStatusLine({ ...data(38), budget: { name: 'daily', ratio: 0.45, spent: false } }, { now: NOW, format: '{cost} | {budget}' })).toBe('💰 $0.15 session / $3.40 today | 🎯 daily 45%');
    expect(formatStatusLine({ ...data(38), budget: { name: 'daily', ratio: 1.12, spent: true } }, { now: NOW, format: '{budget}', color: true })).toBe('🎯 \x1b[31mdaily spent\x1b[0m');
    expect(formatStatusLine(data(38), { now: NOW, format: '{model} | {budget}' })).toBe('🤖 Opus 4.5');
  });

  it('says an estimate past the limit it is measured against as ">100%", never an absurd figure', () => {
    expect(formatStatusLine(data(994, 'limit'), { now: NOW, format: '{window}', emoji: false })).toBe('>100% 5h (3h45m)');
    expect(formatStatusLine(data(104, 'official'), { now: NOW, format: '{window}', emoji: false })).toBe('104% 5h (3h45m)');
  });

  it('keeps text around the template and drops separators of empty segments', () => {
    const d = { ...data(10), model: null, rate: { tokensPerMinute: 0, costPerHour: 0 } };
    expect(formatStatusLine(d, { now: NOW, emoji: false, format: 'tm: {model} | {rate} | {tokens} | {today_cost} !' })).toBe('tm: 54,231 tokens | $3.40 today !');
  });
});
