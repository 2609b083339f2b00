import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/core/report.js';
import { offsetSegments } from '../../src/core/time.js';
import { refreshIndex } from '../../src/ingest/indexer.js';
import { discoverClaudeFiles } from '../../src/sources/claude-code/discover.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { assistantLine, tempDir, userLine } from '../helpers/transcript.js';

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let root: string;
let project: string;

beforeEach(() => {
  dir = tempDir();
  root = join(dir.path, 'claude');
  project = join(root, 'projects', '-home-ana-api');
  mkdirSync(project, { recursive: true });
  store = new SqliteStore(join(dir.path, 'home', 'index.sqlite'));
});
afterEach(async () => {
  await store.close();
  dir.cleanup();
});

async function index(roots = root) {
  const discovery = discoverClaudeFiles({ CLAUDE_CONFIG_DIR: roots, HOME: dir.path });
  return refreshIndex(store, discovery.files, { host: 'test-host' });
}

async function totals() {
  const range = await store.timeRange({});
  const rows = range ? await store.usage({}, { by: 'day', offsets: offsetSegments('UTC', range.from, range.to) }) : [];
  const t = buildReport(rows, { period: 'daily', mode: 'calculate', timeZone: 'UTC', startOfWeek: 'sunday', order: 'asc' }).totals;
  return { requests: t.requests, input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens };
}

const session = () => join(project, '3b9e2a10-5c4d-4e8f-9a01-2d7c6b5e4f33.jsonl');

describe('exactly once', () => {
  it('keeps the largest of several copies of one message (streaming snapshots and per-block lines)', async () => {
    writeFileSync(session(), [userLine(), assistantLine({ output: 5 }), assistantLine({ output: 212 }), assistantLine({ output: 212 })].join('\n') + '\n');
    await index();
    expect(await totals()).toMatchObject({ requests: 1, output: 212 });
  });

  it('lets a larger copy appended later replace the stored one, never adding to it', async () => {
    writeFileSync(session(), assistantLine({ output: 5 }) + '\n');
    await index();
    expect(await totals()).toMatchObject({ requests: 1, output: 5 });
    appendFileSync(session(), assistantLine({ output: 640 }) + '\n' + assistantLine({ output: 90 }) + '\n');
    await index();
    expect(await totals()).toMatchObject({ requests: 1, output: 640 });
  });

  it('drops a sidechain replay of a main-chain message under another request id, whichever is read first', async () => {
    const sub = join(project, '3b9e2a10-5c4d-4e8f-9a01-2d7c6b5e4f33', 'subagents');
    mkdirSync(sub, { recursive: true });
    const replay = assistantLine({ requestId: 'req_btw', isSidechain: true, output: 212 });
    const ownWork = assistantLine({ messageId: 'msg_sub1', requestId: 'req_sub1', isSidechain: true, output: 300, model: 'claude-haiku-4-5-20251001' });
    writeFileSync(join(sub, 'agent-a1.jsonl'), replay + '\n' + ownWork + '\n');
    await index();
    // Only the sidechain copy so far: it counts, there is nothing to replay.
    expect(await totals()).toMatchObject({ requests: 2, output: 512 });
    writeFileSync(session(), assistantLine({ output: 212 }) + '\n');
    await index();
    expect(await totals()).toMatchObject({ requests: 2, output: 512 });
  });

  it('counts once a message that a continued session copied without its requestId', async () => {
    writeFileSync(session(), assistantLine({ output: 212 }) + '\n');
    writeFileSync(join(project, 'continued.jsonl'), [assistantLine({ output: 212, requestId: null, sessionId: 'continued' }), assistantLine({ messageId: 'msg_next', requestId: 'req_next', output: 30, sessionId: 'continued' })].join('\n') + '\n');
    await index();
    expect(await totals()).toMatchObject({ requests: 2, output: 242 });
  });

  it('counts a session once when it is reachable under two roots, copied or linked', async () => {
    writeFileSync(session(), assistantLine() + '\n' + assistantLine({ messageId: 'msg_2', requestId: 'req_2', output: 100 }) + '\n');
    const copy = join(dir.path, 'copy');
    mkdirSync(join(copy, 'projects', '-home-ana-api'), { recursive: true });
    copyFileSync(session(), join(copy, 'projects', '-home-ana-api', 'renamed.jsonl'));
    const link = join(dir.path, 'link');
    symlinkSync(root, link);
    const stats = await index([root, copy, link].join(','));
    expect(stats.files).toBe(2);
    expect(await totals()).toMatchObject({ requests: 2, output: 312 });
  });

  it('converges to the same totals when everything is read again from scratch', async () => {
    writeFileSync(session(), [assistantLine(), assistantLine({ messageId: 'm2', requestId: 'r2', output: 7 })].join('\n') + '\n');
    await index();
    const first = await totals();
    store.db.exec('UPDATE files SET offset = 0, lines = 0, size = 0');
    await index();
    expect(await totals()).toEqual(first);
  });
});

describe('reading only new bytes', () => {
  it('reads nothing when nothing changed', async () => {
    writeFileSync(session(), assistantLine() + '\n');
    // Written a while ago: size and mtime can tell (a file written just now is looked at once more, see sightings).
    const past = new Date(Date.now() - 60_000);
    utimesSync(session(), past, past);
    await index();
    const again = await index();
    expect([again.filesRead, again.bytesRead]).toEqual([0, 0]);
  });

  it('leaves a half-written line for the next run and counts it once complete', async () => {
    const line = assistantLine({ messageId: 'm2', requestId: 'r2', output: 50 });
    writeFileSync(session(), assistantLine() + '\n' + line.slice(0, 100));
    const first = await index();
    expect(first.badLines).toBe(0);
    expect(await totals()).toMatchObject({ requests: 1 });
    appendFileSync(session(), line.slice(100) + '\n');
    const second = await index();
    expect(second.bytesRead).toBe(line.length + 1);
    expect(await totals()).toMatchObject({ requests: 2, output: 262 });
  });

  it('re-reads a truncated file and replaces what it contributed', async () => {
    writeFileSync(session(), [assistantLine(), assistantLine({ messageId: 'm2', requestId: 'r2', output: 50 })].join('\n') + '\n');
    await index();
    writeFileSync(session(), assistantLine({ messageId: 'm3', requestId: 'r3', output: 9 }) + '\n');
    const stats = await index();
    expect(stats.filesReplaced).toBe(1);
    expect(await totals()).toMatchObject({ requests: 1, output: 9 });
  });

  it('re-reads a file rewritten in place with different content', async () => {
    writeFileSync(session(), assistantLine({ messageId: 'mA', requestId: 'rA', output: 11 }) + '\n');
    await index();
    // Same length, different bytes at the start, then grown: the head fingerprint tells it is not an append.
    writeFileSync(session(), assistantLine({ messageId: 'mB', requestId: 'rB', output: 22 }) + '\n' + assistantLine({ messageId: 'mC', requestId: 'rC', output: 33 }) + '\n');
    const stats = await index();
    expect(stats.filesReplaced).toBe(1);
    expect(await totals()).toMatchObject({ requests: 2, output: 55 });
  });

  it('treats a file replaced by another (new inode) as replaced', async () => {
    writeFileSync(session(), assistantLine({ output: 11 }) + '\n');
    await index();
    const tmp = `${session()}.tmp`;
    writeFileSync(tmp, assistantLine({ messageId: 'other', requestId: 'r', output: 44 }) + '\n' + userLine() + '\n');
    renameSync(tmp, session());
    await index();
    expect(await totals()).toMatchObject({ requests: 1, output: 44 });
  });

  it('keeps the events of a deleted transcript', async () => {
    writeFileSync(session(), assistantLine() + '\n');
    await index();
    rmSync(session());
    await index();
    expect(await totals()).toMatchObject({ requests: 1, output: 212 });
  });

  it('handles empty files and files emptied later', async () => {
    writeFileSync(session(), '');
    await index();
    expect(await totals()).toMatchObject({ requests: 0 });
    writeFileSync(session(), assistantLine() + '\n');
    await index();
    truncateSync(session(), 0);
    await index();
    expect(await totals()).toMatchObject({ requests: 0 });
  });
});

describe('bad input', () => {
  it('skips and counts bad lines with their line numbers, and loses no good line', async () => {
    const good = (i: number) => assistantLine({ messageId: `m${i}`, requestId: `r${i}`, output: 10 });
    writeFileSync(
      session(),
      [
        good(1),
        assistantLine({ messageId: 'bad1' }).replace('"output_tokens":212', '"output_tokens":"oops"'),
        good(2),
        '{"type":"assistant","message":{"usage":{"input_tokens":1', // truncated mid-file
        good(3),
        assistantLine({ model: '<synthetic>', input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0 }),
        'not json at all "usage"',
        good(4),
      ].join('\n') + '\n',
    );
    const stats = await index();
    expect(stats.badLines).toBe(3);
    expect(stats.skippedSynthetic).toBe(1);
    expect(stats.problems.map((p) => [p.line, p.message.split(' ')[0]])).toEqual([
      [2, 'message.usage.output_tokens'],
      [4, 'malformed'],
      [7, 'malformed'],
    ]);
    expect(stats.problems[0]!.path).toContain('3b9e2a10');
    expect(await totals()).toMatchObject({ requests: 4, output: 40 });
  });

  it('reports a file that vanishes between discovery and reading, and goes on', async () => {
    writeFileSync(session(), assistantLine() + '\n');
    const other = join(project, 'other.jsonl');
    writeFileSync(other, assistantLine({ messageId: 'o', requestId: 'o' }) + '\n');
    const discovery = discoverClaudeFiles({ CLAUDE_CONFIG_DIR: root, HOME: dir.path });
    rmSync(other);
    const stats = await refreshIndex(store, discovery.files, { host: 'h' });
    expect(stats.problems).toEqual([{ path: other, line: 0, message: 'cannot read: ENOENT' }]);
    expect(await totals()).toMatchObject({ requests: 1 });
  });

  it('says clearly when no root exists', () => {
    const d = discoverClaudeFiles({ HOME: join(dir.path, 'nobody') });
    expect(d.files).toEqual([]);
    expect(d.missing).toMatch(/^no Claude Code data found: looked for projects\/ in .*\.config\/claude, .*\.claude/);
  });
});
