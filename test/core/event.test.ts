import { describe, expect, it } from 'vitest';
import { emptyCounts, promptTokens, shouldReplace, splitCachedInput, totalTokens, type UsageEvent } from '../../src/core/event.js';

const ev = (over: Partial<UsageEvent>): UsageEvent => ({
  ...emptyCounts(), ts: 0, tool: 'claude-code', source: 'transcript', host: 'h', sessionId: 's', project: 'p', model: 'm',
  speed: 'standard', reportedCost: null, dedupKey: 'k', requestId: null, isSidechain: false, ...over,
});

describe('token kinds', () => {
  it('turns an input that includes cached tokens (OpenAI, Codex, Gemini) into uncached input and cache reads', () => {
    expect(splitCachedInput(19_870, 17_920)).toEqual({ input: 1_950, cacheRead: 17_920 });
    expect(splitCachedInput(100, 250)).toEqual({ input: 0, cacheRead: 100 });
  });

  it('counts reasoning inside output, never twice', () => {
    const c = { ...emptyCounts(), input: 1, output: 10, reasoning: 7, cacheRead: 100, cacheWrite5m: 20, cacheWrite1h: 3 };
    expect(totalTokens(c)).toBe(134);
    expect(promptTokens(c)).toBe(124);
  });
});

describe('which copy of a response stays', () => {
  it('prefers a main-chain copy, then the larger, then the one that knows it ran in fast mode', () => {
    expect(shouldReplace(ev({ isSidechain: true, output: 900 }), ev({ output: 5 }))).toBe(true);
    expect(shouldReplace(ev({ output: 5 }), ev({ isSidechain: true, output: 900 }))).toBe(false);
    expect(shouldReplace(ev({ output: 5 }), ev({ output: 90 }))).toBe(true);
    expect(shouldReplace(ev({ output: 90 }), ev({ output: 5 }))).toBe(false);
    expect(shouldReplace(ev({ output: 90 }), ev({ output: 90, speed: 'fast' }))).toBe(true);
    expect(shouldReplace(ev({ output: 90, speed: 'fast' }), ev({ output: 90 }))).toBe(false);
  });

  it('between equal copies, prefers the one that knows its project, and otherwise keeps the first', () => {
    expect(shouldReplace(ev({ output: 90, project: '' }), ev({ output: 90, project: '/srv/app' }))).toBe(true);
    expect(shouldReplace(ev({ output: 90, project: '/srv/app' }), ev({ output: 90, project: '' }))).toBe(false);
    expect(shouldReplace(ev({ output: 90, project: '/a' }), ev({ output: 90, project: '/b' }))).toBe(false);
    expect(shouldReplace(ev({ output: 90, project: '', speed: 'fast' }), ev({ output: 90, project: '/srv/app' }))).toBe(false);
  });
});
