// The daemon follows every registered agent live: what OpenCode commits to its database's WAL and what pi appends to
// its session reach the API through the folder watches (the sweep is an hour away), counted once.
import Database from 'better-sqlite3';
import { appendFileSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/processes.js';

const fixtures = join(__dirname, '..', 'fixtures');
let d: TestDaemon | undefined;
afterEach(async () => d?.stop());

const byTool = async (t: TestDaemon) => Object.fromEntries((await t.json<{ rows: Array<{ key: string; requests: number }> }>('/api/usage?group=tool')).rows.map((r) => [r.key, r.requests]));

describe('the daemon and the agents', () => {
  it('sees an OpenCode call committed to the WAL and a pi call appended, each once', async () => {
    d = await startTestDaemon({
      sweepMs: 3_600_000,
      beforeStart: (home) => {
        cpSync(join(fixtures, 'opencode', '1.18.33', 'home'), home, { recursive: true });
        cpSync(join(fixtures, 'pi', '0.73.1', 'home'), home, { recursive: true });
      },
    });
    const t = d;
    expect(await byTool(t)).toEqual({ opencode: 3, pi: 3 });

    const db = new Database(join(t.userHome, '.local', 'share', 'opencode', 'opencode.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    const m = db.prepare("SELECT id, session_id AS session, data FROM message WHERE data LIKE '%\"assistant\"%' LIMIT 1").get() as { id: string; session: string; data: string };
    const now = Date.now();
    const tokens = { total: 160, input: 100, output: 40, reasoning: 20, cache: { read: 0, write: 0 } };
    db.prepare('INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run('prt_live1', m.id, m.session, now, now, JSON.stringify({ type: 'step-finish', reason: 'stop', tokens, cost: 0 }));
    await waitFor('the OpenCode call on /api/usage', async () => ((await byTool(t)).opencode === 4 ? true : undefined), 30_000);

    const sessions = join(t.userHome, '.pi', 'agent', 'sessions');
    const folder = join(sessions, readdirSync(sessions)[0]!);
    const file = join(folder, readdirSync(folder)[0]!);
    appendFileSync(file, `${JSON.stringify({ type: 'message', id: 'live0001', parentId: null, timestamp: new Date().toISOString(), message: { role: 'assistant', content: [], api: 'openai-completions', provider: 'oa', model: 'gpt-5', usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, totalTokens: 15, cost: { total: 0 } }, stopReason: 'stop', timestamp: Date.now(), responseId: 'chatcmpl-live1' } })}\n`);
    await waitFor('the pi call on /api/usage', async () => ((await byTool(t)).pi === 4 ? true : undefined), 30_000);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    await t.daemon.idle();
    expect(await byTool(t)).toEqual({ opencode: 4, pi: 4 });
  }, 90_000);
});
