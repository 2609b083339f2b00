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
    expect(ours.limit).toEqual({ tokens: 88_000, source: 'plan max5', cost: 35, messages: 1000 });
    expect(ours.tool).toBe('claude-code');
    expect(ours.blocks).toHaveLength(1);
    const b = ours.blocks[0];
    expect(b.limitUsedPercent).toBeCloseTo(((b.tokenCounts.inputTokens + b.tokenCounts.outputTokens) / 88_000) * 100, 6);
    // The plan's other two limits: its cost and its messages.
    expect(b.limitCostPercent).toBeCloseTo((b.costUSD / 35) * 100, 4);
    expect(b.limitMessagesPercent).toBeCloseTo((b.entries / 1000) * 100, 6);
    // A limit reached after the reset is not shown.
    if (b.limitReachedAt) expect(Date.parse(b.limitReachedAt)).toBeLessThan(Date.parse(b.endTime));
  });

  it('counts one tool\'s windows (Claude Code\'s by default), as a table that fits 80 columns, as CSV, in a time zone', () => {
    // A Gemini request now must not add to Claude's window.
    const gemini = spawnSync(process.execPath, [cli, 'ingest', '--tool', 'gemini', '--model', 'gemini-2.5-pro', '--id', 'gem-block'], { env, input: '{"usage":{"input_tokens":500000,"output_tokens":1}}', encoding: 'utf8' });
    expect(gemini.status, gemini.stderr).toBe(0);
    const claude = (json(process.execPath, [cli, 'blocks', '--json', '--active']) as any).blocks[0];
    const all = (json(process.execPath, [cli, 'blocks', '--json', '--active', '--tool', 'all']) as any).blocks[0];
    expect(all.tokenCounts.inputTokens - claude.tokenCounts.inputTokens).toBe(500_000);
    const onlyGemini = json(process.execPath, [cli, 'blocks', '--json', '--tool', 'gemini']) as any;
    expect(onlyGemini.blocks.map((b: any) => b.totalTokens)).toEqual([500_001]);

    const table = spawnSync(process.execPath, [cli, 'blocks', '--compact', '--plan', 'max5', '--tz', 'Asia/Tokyo'], { env, encoding: 'utf8' }).stdout;
    expect(Math.max(...table.trimEnd().split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    // Block starts in Tokyo time: UTC + 9 h.
    const firstStart = new Date(Date.parse(claude.startTime) + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(table).toContain(firstStart);

    const csv = spawnSync(process.execPath, [cli, 'blocks', '--csv', '--plan', 'max5'], { env, encoding: 'utf8' }).stdout.trimEnd().split('\r\n');
    expect(csv[0]).toBe('block_start,block_end,actual_end,kind,models,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,total_tokens,requests,cost_usd,limit_used_percent,limit_cost_percent,limit_messages_percent,official_percent,tokens_per_minute,cost_per_hour');
    const csvActive = csv.find((l) => l.split(',')[3] === 'active')!.split(',');
    expect(Number(csvActive[9])).toBe(claude.totalTokens);
    expect(csv.some((l) => l.split(',')[3] === 'gap')).toBe(true);
  });
});
