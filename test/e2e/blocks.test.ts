// tokenmeter blocks against ccusage blocks on the same generated history: the same windows, gaps, entries, tokens.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTurns, generateHistory } from '../../bench/generate-history.mjs';
import { tempDir } from '../helpers/transcript.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const ccusage = join(root, 'node_modules', '.bin', 'ccusage');
let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = tempDir();
  // A history that ended ten days ago (its sessions run on for a while past that), then a session of the last
  // 40 minutes, so that the last window is active.
  generateHistory(join(dir.path, 'claude'), { targetBytes: 4 << 20, seed: 31, days: 3, endTime: Date.now() - 10 * 86_400_000 });
  const live = join(dir.path, 'claude', 'projects', '-home-dev-live');
  mkdirSync(live, { recursive: true });
  appendTurns(join(live, 'live-session.jsonl'), '/home/dev/live', 'live-session', 60_000, 3, Date.now() - 40 * 60_000);
  mkdirSync(join(dir.path, 'home'));
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
});
afterAll(() => dir?.cleanup());

function json(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { blocks: Array<Record<string, unknown> & { models: string[]; costUSD: number }> };
}

// Entries are compared apart: ccusage also counts the `<synthetic>` lines (no tokens), which tokenmeter skips.
const comparable = (b: Record<string, unknown> & { models: string[] }) => ({
  id: b.id, startTime: b.startTime, endTime: b.endTime, actualEndTime: b.actualEndTime, isActive: b.isActive, isGap: b.isGap,
  tokenCounts: b.tokenCounts, totalTokens: b.totalTokens, models: [...b.models].filter((m) => m !== '<synthetic>').sort(),
});

describe.skipIf(!existsSync(ccusage))('tokenmeter blocks', () => {
  it('draws the same windows and gaps as ccusage blocks, with the same counts and costs', () => {
    const theirs = json(ccusage, ['blocks', '--json', '--offline']);
    const ours = json(process.execPath, [cli, 'blocks', '--json']);
    expect(ours.blocks.length).toBeGreaterThan(5);
    expect(ours.blocks.some((b) => b.isGap)).toBe(true);
    expect(ours.blocks.at(-1)!.isActive).toBe(true);
    expect(ours.blocks.map(comparable)).toEqual(theirs.blocks.map(comparable));
    ours.blocks.forEach((b, i) => {
      expect(b.costUSD).toBeCloseTo(theirs.blocks[i]!.costUSD, 6);
      expect(b.entries).toBeLessThanOrEqual(theirs.blocks[i]!.entries as number);
    });
    // The active window has a burn rate and a projection, as ccusage's does.
    const active = ours.blocks.at(-1) as Record<string, any>;
    const theirActive = theirs.blocks.at(-1) as Record<string, any>;
    expect(active.burnRate.tokensPerMinute).toBeCloseTo(theirActive.burnRate.tokensPerMinute, 3);
    // The two ran a moment apart, and the projection runs to the window's end from "now".
    expect(Math.abs(active.projection.totalTokens / theirActive.projection.totalTokens - 1)).toBeLessThan(0.01);
  });

  it('shows only the active window with --active, and the limit it is measured against', () => {
    const ours = json(process.execPath, [cli, 'blocks', '--json', '--active', '--plan', 'max5']) as any;
    expect(ours.limit).toEqual({ tokens: 88_000, source: 'plan max5' });
    expect(ours.blocks).toHaveLength(1);
    const b = ours.blocks[0];
    expect(b.limitUsedPercent).toBeCloseTo(((b.tokenCounts.inputTokens + b.tokenCounts.outputTokens) / 88_000) * 100, 6);
  });
});
