// --json serves scripts written for either generation of ccusage: compared row by row with the pinned ccusage's own
// output (20: `period`, `agent`, `metadata`, a top-level `session` array) on the same data, and keeping 18's names
// (`date`, `week`, `month`, `sessions` with `sessionId` and `lastActivity`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHistory } from '../../bench/generate-history.mjs';
import { tempDir } from '../helpers/transcript.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const ccusage = join(root, 'node_modules', '.bin', 'ccusage');
let dir: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = tempDir();
  generateHistory(join(dir.path, 'claude'), { targetBytes: 16 << 20, seed: 41, days: 70, endTime: Date.now() - 86_400_000 });
  env = { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), TZ: 'UTC' };
});
afterAll(() => dir?.cleanup());

type Row = Record<string, unknown> & { period: string; modelsUsed: string[]; totalCost: number };

function json(cmd: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** What ccusage 20 says of a row, as a script would read it (its `<synthetic>` zero-token lines left out). */
const comparable = (r: Row) => ({
  period: r.period, agent: r.agent, metadata: r.metadata, inputTokens: r.inputTokens, outputTokens: r.outputTokens,
  cacheCreationTokens: r.cacheCreationTokens, cacheReadTokens: r.cacheReadTokens, totalTokens: r.totalTokens,
  modelsUsed: r.modelsUsed.filter((m) => m !== '<synthetic>').sort(),
});

describe.skipIf(!existsSync(ccusage))('--json and ccusage 20', () => {
  for (const [report, list] of [['daily', 'daily'], ['weekly', 'weekly'], ['monthly', 'monthly'], ['session', 'session']] as const) {
    it(`${report}: the rows ccusage 20 gives, with the same periods, agents, metadata, tokens and costs`, () => {
      const theirs = json(ccusage, [report, '--json', '--offline']);
      const ours = json(process.execPath, [cli, report, '--json']);
      const t = theirs[list] as Row[];
      const o = ours[list] as Row[];
      expect(t.length).toBeGreaterThan(2);
      const byPeriod = (rows: Row[]) => [...rows].sort((a, b) => (a.period < b.period ? -1 : 1));
      expect(byPeriod(o).map(comparable)).toEqual(byPeriod(t).map(comparable));
      const costs = new Map(t.map((r) => [r.period, r.totalCost]));
      for (const r of o) {
        expect(r.totalCost, r.period).toBeCloseTo(costs.get(r.period)!, 6);
        // Money without float noise: at most 8 decimals.
        expect(String(r.totalCost)).toMatch(/^\d+(\.\d{1,8})?$/);
      }
      expect((ours.totals as Row).totalTokens).toBe((theirs.totals as Row).totalTokens);
    });
  }

  it('keeps the names scripts written for ccusage 18 read', () => {
    const daily = json(process.execPath, [cli, 'daily', '--json']).daily as Row[];
    for (const r of daily) expect(r.date).toBe(r.period);
    expect((json(process.execPath, [cli, 'weekly', '--json']).weekly as Row[])[0]!.week).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((json(process.execPath, [cli, 'monthly', '--json']).monthly as Row[])[0]!.month).toMatch(/^\d{4}-\d{2}$/);
    const s = json(process.execPath, [cli, 'session', '--json']);
    expect(s.sessions).toEqual(s.session);
    for (const r of s.sessions as Row[]) {
      expect(r.sessionId).toBe(r.period);
      expect(r.lastActivity).toBe((r.metadata as { lastActivity: string }).lastActivity.slice(0, 10));
      expect(r.projectPath).toMatch(/^\/home\/dev\/work\//);
    }
  });
});
