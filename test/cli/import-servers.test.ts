// tokenmeter import (the seeds' usage-tracking.json, v1 and v2) and tokenmeter servers / GET /api/servers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseUsageTracking } from '../../src/sources/seed/usage-tracking.js';
import { startTestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

// The seeds' v2 structure ("Real Token Tracking Guide"): two servers sharing one file.
const V2 = {
  version: '2.0', last_updated: 1757151535,
  session_management: { current_session: { session_start: 1757149200, next_reset: 1757167200, duration_seconds: 18000 }, reset_history: [] },
  plan_configuration: { current_plan: 'pro', limits: { pro: { total_tokens: 100000, window_hours: 5 } } },
  token_usage: { current_window: { total_tokens: 12050, input_tokens: 4850, output_tokens: 7200, total_requests: 4, first_request: 1757151200, last_request: 1757151535 }, session_history: [], daily_stats: {} },
  server_tracking: {
    last_active_server: 'MAIN',
    servers: {
      MAIN: { last_active: 1757151535, session_requests: 4, session_tokens: { total: 12050, input: 4850, output: 7200 }, lifetime_stats: { total_sessions: 9, total_requests: 212, total_tokens: 640000, first_seen: 1756000000, last_seen: 1757151535 } },
      LXC115: { last_active: 1757140000, session_requests: 0, session_tokens: { total: 0, input: 0, output: 0 }, lifetime_stats: { total_sessions: 3, total_requests: 40, total_tokens: 98000, first_seen: 1756500000, last_seen: 1757140000 } },
    },
  },
  metadata: { created: 1756000000, created_by: 'MAIN', upgrade_history: [] },
};
const V1 = { session_start: 1757149200, tokens_used: 5400, requests: 3, plan: 'pro', next_reset: 1757167200, last_server: 'LXC115' };

describe('the seeds\' usage-tracking.json', () => {
  it('reads v2 into lifetime figures per host, the direction split carried from the current session', () => {
    const { version, hosts } = parseUsageTracking(V2, 'f');
    expect(version).toBe(2);
    expect(hosts).toEqual([
      { host: 'MAIN', tokens: 640000, input: 257593, output: 382407, requests: 212, sessions: 9, firstSeen: 1756000000000, lastSeen: 1757151535000, source: 'f' },
      { host: 'LXC115', tokens: 98000, input: 0, output: 0, requests: 40, sessions: 3, firstSeen: 1756500000000, lastSeen: 1757140000000, source: 'f' },
    ]);
  });

  it('reads v1, and says what is wrong with anything else', () => {
    expect(parseUsageTracking(V1, 'f')).toEqual({ version: 1, hosts: [expect.objectContaining({ host: 'LXC115', tokens: 5400, requests: 3 })] });
    expect(() => parseUsageTracking([], 'f')).toThrow(/expected a JSON object/);
    expect(() => parseUsageTracking({ version: '2.0' }, 'f')).toThrow(/without server_tracking\.servers/);
    expect(() => parseUsageTracking({ server_tracking: { servers: { A: { lifetime_stats: { total_tokens: -1 } } } } }, 'f')).toThrow(/server_tracking\.servers\.A\.lifetime_stats\.total_tokens is -1/);
    expect(() => parseUsageTracking({ hello: 1 }, 'f')).toThrow(/neither a version 2 file/);
  });

  it('tokenmeter import keeps them, and tokenmeter servers and /api/servers show them beside the index\'s hosts', async () => {
    const file = join(dir.path, 'usage-tracking.json');
    writeFileSync(file, JSON.stringify(V2));
    const project = join(dir.path, 'claude', 'projects', 'p');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 's.jsonl'), `${assistantLine({ timestamp: new Date().toISOString(), input: 100, output: 200, cacheRead: 0, cacheWrite5m: 0 })}\n`);
    const env = { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), TOKENMETER_HOST_NAME: 'MAIN' };
    const imp = spawnSync(process.execPath, [cli, 'import', file], { env, encoding: 'utf8' });
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/version 2\): MAIN 640,000 tokens, 212 requests; LXC115 98,000 tokens, 40 requests/);
    spawnSync(process.execPath, [cli, 'import', file], { env, encoding: 'utf8' }); // again: replaced, not added
    const servers = JSON.parse(spawnSync(process.execPath, [cli, 'servers', '--json'], { env, encoding: 'utf8' }).stdout).servers;
    expect(servers.map((s: Record<string, unknown>) => [s.host, s.windowTokens, s.lifetimeTokens, s.requests])).toEqual([['LXC115', 0, 98000, 40], ['MAIN', 300, 640300, 213]]);
    const bad = spawnSync(process.execPath, [cli, 'import', join(dir.path, 'missing.json')], { env, encoding: 'utf8' });
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/missing\.json: no such file \(ENOENT\)/)]);
    // Piped, or with NO_COLOR: no colour codes in the table.
    for (const extra of [{}, { NO_COLOR: '1' }, { NO_COLOR: '1', FORCE_COLOR: undefined }]) {
      const table = spawnSync(process.execPath, [cli, 'servers'], { env: { ...env, ...extra }, encoding: 'utf8' });
      expect(table.stdout).toContain('LXC115');
      expect(table.stdout.includes('\x1b'), JSON.stringify(extra)).toBe(false);
    }
    // The daemon serves the same.
    const d = await startTestDaemon();
    try {
      expect((await d.json('/api/servers')).servers).toEqual([]);
    } finally {
      await d.stop();
    }
  });
});
