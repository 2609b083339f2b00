// What real agents wrote when run headless against the loopback stand-in (test/fixtures/agents/record.mjs), read
// through the source registry as the daemon reads them: every call the agent records is counted once with the usage
// the stand-in sent, and reading again, a second copy of a file, a file rewritten in place and a half-written last
// line change nothing.
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshIndex } from '../../../src/ingest/indexer.js';
import { AGENTS } from '../../../src/sources/registry.js';
import { isDatabaseFormat } from '../../../src/sources/file-format.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../helpers/transcript.js';

interface Answer { api: string; id: string; model: string; input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number }
interface Expected { agent: string; version: string; project: string; answers: Answer[] }

/**
 * What each agent's records keep of a call, beside the calls it never records (../shared/reference/agents.md).
 * `reasoning`: whether it records reasoning apart from output; `cacheWrite`: whether it keeps cache writes apart.
 */
const KEEPS: Record<string, { reasoning: boolean; cacheWrite: boolean; key: (a: Answer) => string | null; recorded?: (a: Answer, i: number) => boolean; outputOf?: (a: Answer, version: string) => number }> = {
  pi: { reasoning: false, cacheWrite: true, key: (a) => a.id },
  // Anthropic cache writes are inside Qwen's input, and not kept apart.
  qwen: { reasoning: true, cacheWrite: false, key: () => null },
  copilot: { reasoning: true, cacheWrite: true, key: (a) => a.id },
  // Session titles by the small model are never recorded.
  opencode: { reasoning: true, cacheWrite: true, key: () => null, recorded: (a) => a.model !== 'gpt-5-nano' },
  // Kilo fires its title call in the background, and records it never.
  kilo: { reasoning: true, cacheWrite: true, key: () => null, recorded: (a) => a.model !== 'gpt-5-nano' },
  // A session's running totals: one record per session (each fixture session made one call).
  droid: { reasoning: true, cacheWrite: true, key: () => null },
  // No reasoning figure; the request id Auggie sent is the key.
  auggie: { reasoning: false, cacheWrite: true, key: (a) => `auggie:${a.id}` },
  // Output includes reasoning, not told apart. Task files (2.x) add message_start's output token to Anthropic's.
  cline: { reasoning: false, cacheWrite: true, key: () => null, outputOf: (a, version) => a.output + (a.api === 'messages' && version.startsWith('2.') ? 1 : 0) },
};

const fixtures = join(__dirname, '..', '..', 'fixtures');
const cases = AGENTS.filter((a) => KEEPS[a.tool]).flatMap((agent) => {
  const dir = join(fixtures, agent.tool);
  return existsSync(dir) ? readdirSync(dir).filter((v) => /^\d/.test(v)).map((version) => ({ agent, version, root: join(dir, version) })) : [];
});

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

type Row = { key: string; model: string; input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number; session: string; project: string; tool: string };

describe.each(cases)('$agent.name $version as it wrote them', ({ agent, version, root }) => {
  it('counts each recorded call once, with the usage the stand-in sent, whatever happens to the files', async () => {
    tmp = tempDir();
    const home = join(tmp.path, 'home');
    cpSync(join(root, 'home'), home, { recursive: true });
    const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as Expected;
    expect(expected.version).toBe(version);
    const keeps = KEEPS[agent.tool]!;
    const env = { HOME: home };
    const store = new SqliteStore(join(tmp.path, 'index.sqlite'));
    const index = async () => {
      const d = agent.discover(env, new Map());
      expect(d.problems).toEqual([]);
      return refreshIndex(store, d.files, { host: 'test' });
    };
    const rows = () => store.db.prepare(`SELECT dedup_key AS key, model, input, cache_read AS cacheRead, cache_write_5m + cache_write_1h AS cacheWrite,
      output, reasoning, session_id AS session, project, tool FROM events ORDER BY dedup_key`).all() as Row[];

    const first = await index();
    expect(first.problems).toEqual([]);
    expect(first.badLines).toBe(0);
    const want = expected.answers
      .filter((a, i) => keeps.recorded?.(a, i) ?? true)
      .map((a) => ({
        key: keeps.key(a) ?? expect.any(String), model: a.model, input: a.input + (keeps.cacheWrite ? 0 : a.cacheWrite), cacheRead: a.cacheRead,
        cacheWrite: keeps.cacheWrite ? a.cacheWrite : 0, output: keeps.outputOf?.(a, version) ?? a.output, reasoning: keeps.reasoning ? a.reasoning : 0,
        session: expect.any(String), project: expected.project, tool: agent.tool,
      }));
    const got = rows();
    expect(got.length).toBe(want.length);
    const byCounts = (r: { input: number; output: number }) => r.input * 1e6 + r.output;
    expect([...got].sort((a, b) => byCounts(a) - byCounts(b))).toEqual([...want].sort((a, b) => byCounts(a) - byCounts(b)));
    expect(new Set(got.map((r) => r.key)).size).toBe(got.length);

    // Read again: nothing new.
    await index();
    expect(rows()).toEqual(got);

    const files = agent.discover(env, new Map()).files;
    // A second copy of every file (a backup, a fork, a synced folder) and a file rewritten in place with the same
    // content under a new inode: still each call once.
    for (const f of files) {
      cpSync(f.path, `${f.path}.copy${f.path.slice(f.path.lastIndexOf('.'))}`);
      writeFileSync(`${f.path}.tmp`, readFileSync(f.path));
      renameSync(`${f.path}.tmp`, f.path);
    }
    await index();
    expect(rows()).toEqual(got);

    // A half-written line at the end of an append-only log is not an error, and adds nothing until it is complete.
    const appendOnly = files.filter((f) => {
      const format = agent.formats[f.source]!;
      return format !== 'claude-transcript' && !isDatabaseFormat(format) && !format.wholeFile;
    });
    if (appendOnly.length) {
      appendFileSync(appendOnly[0]!.path, '{"type":"message","id":"partial","message":{"role":"assis');
      const r = await index();
      expect(r.badLines).toBe(0);
      expect(rows()).toEqual(got);
    }
    await store.close();
  });
});
