// tokenmeter live's picture, drawn from a summary: a bar per tool's window, and with a plan its cost and messages.
import { describe, expect, it } from 'vitest';
import { renderLive } from '../../src/cli/live-command.js';
import { PLANS } from '../../src/core/limits.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const counts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, totalTokens: 0, requests: 0 };
const limit = (usedPercent: number) => ({ usedPercent, resetsAt: new Date(NOW + 2 * 3600_000).toISOString(), source: 'estimated', limitAt: null });
const summary = {
  today: counts, session: null, rate: { tokensPerMinute: 0, costPerHour: 0 }, limit: limit(40),
  window: { reset: new Date(NOW + 2 * 3600_000).toISOString(), isActive: true, totalTokens: 50_000, cost: 7, requests: 100, burnRate: null, projection: null },
  windows: [{ tool: 'claude-code', limit: limit(40) }, { tool: 'codex', limit: limit(12) }],
};
const draw = (plan?: (typeof PLANS)['max5']) => renderLive({ width: 100, height: 30, compact: true, color: false, source: 'daemon', now: NOW, summary, perMinute: [], models: [], projects: [], plan });

describe('tokenmeter live', () => {
  it('draws a bar per tool\'s window', () => {
    const lines = draw();
    expect(lines.filter((l) => /^5h (claude-code|codex) +█+░+ ~\d+%$/.test(l))).toHaveLength(2);
  });

  it('with a plan, draws its cost and message limits beside the tokens\'', () => {
    const lines = draw(PLANS.max5);
    expect(lines.find((l) => l.startsWith('5h cost'))).toMatch(/ 20% \(\$7\.00 of \$35\)$/);
    expect(lines.find((l) => l.startsWith('5h messages'))).toMatch(/ 10% \(100 of 1,000\)$/);
  });
});
