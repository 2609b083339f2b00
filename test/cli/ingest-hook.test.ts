// tokenmeter ingest and tokenmeter hook, run as a script or Claude Code would run them.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { sessionTotals, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir?.cleanup());

function run(args: string[], stdin: string, home: string) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    input: stdin, encoding: 'utf8', timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: dir.path, CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: home },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function rows(home: string) {
  const store = new SqliteStore(join(home, 'index.sqlite'));
  try {
    return store.db.prepare('SELECT dedup_key AS key, tool, source, model, session_id AS session, input, output, cache_read AS cacheRead, cache_write_5m AS w5, cache_write_1h AS w1, reasoning FROM events ORDER BY id').all();
  } finally {
    await store.close();
  }
}

describe('tokenmeter ingest', () => {
  it('reads Anthropic, OpenAI Chat and OpenAI Responses usage, and stores an id once', async () => {
    const home = join(dir.path, 'tm-ingest');
    const anthropic = JSON.stringify({ usage: { input_tokens: 850, output_tokens: 1200, cache_read_input_tokens: 5000, cache_creation_input_tokens: 300, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 } } });
    const first = run(['ingest', '--model', 'claude-sonnet-4-5', '--id', 'job-1', '--session', 'batch'], anthropic, home);
    expect([first.code, first.err]).toEqual([0, expect.stringMatching(/^tokenmeter: stored claude-sonnet-4-5: .*\(id job-1\)\n$/)]);
    // The same id again: said as such, not "stored".
    const again = run(['ingest', '--model', 'claude-sonnet-4-5', '--id', 'job-1', '--session', 'batch'], anthropic, home);
    expect([again.code, again.err]).toEqual([0, 'tokenmeter: id job-1 was already stored; the larger of the two copies is kept\n']);
    const chat = JSON.stringify({ id: 'chatcmpl-9x', model: 'gpt-4o', usage: { prompt_tokens: 1000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: 100 } } });
    expect(run(['ingest', '--tool', 'codex'], chat, home).code).toBe(0);
    const responses = JSON.stringify({ id: 'resp_1', model: 'gpt-5', usage: { input_tokens: 2000, output_tokens: 500, input_tokens_details: { cached_tokens: 1500 }, output_tokens_details: { reasoning_tokens: 320 } } });
    const r = run(['ingest'], responses, home);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/stored gpt-5: input 500, output 500, cache read 1500, cache write 0 \(id resp_1\)/);
    expect(await rows(home)).toEqual([
      { key: 'job-1', tool: 'api', source: 'hook', model: 'claude-sonnet-4-5', session: 'batch', input: 850, output: 1200, cacheRead: 5000, w5: 100, w1: 200, reasoning: 0 },
      { key: 'chatcmpl-9x', tool: 'codex', source: 'hook', model: 'gpt-4o', session: 'ingest', input: 600, output: 300, cacheRead: 400, w5: 0, w1: 0, reasoning: 100 },
      { key: 'resp_1', tool: 'api', source: 'hook', model: 'gpt-5', session: 'ingest', input: 500, output: 500, cacheRead: 1500, w5: 0, w1: 0, reasoning: 320 },
    ]);
  });

  it('says what is wrong with bad input, and stores nothing', async () => {
    const home = join(dir.path, 'tm-bad');
    const notJson = run(['ingest'], '{"usage": {"input_tokens": 1,', home);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(/stdin: not JSON \(at byte \d+\)/);
    expect(run(['ingest'], '{"tokens": 5}', home).err).toMatch(/stdin: no "usage" object/);
    expect(run(['ingest'], '{"usage": {"input_tokens": -4}}', home).err).toMatch(/stdin: usage\.input_tokens: expected a non-negative number, got -4/);
    expect(run(['ingest'], '{"usage": {"total": 4}}', home).err).toMatch(/has none of input_tokens/);
    const noModel = run(['ingest'], '{"usage": {"input_tokens": 1, "output_tokens": 2}}', home);
    expect([noModel.code, noModel.err]).toEqual([2, 'tokenmeter: stdin: no model: pass --model, or send the whole API response (it names its model)\n']);
    expect(run(['ingest', '--tool', 'cursor'], '{"usage": {"input_tokens": 1}}', home).err).toMatch(/--tool: expected one of/);
    const absurd = run(['ingest', '--model', 'claude-haiku-4-5', '--id', 'absurd-1'], '{"usage": {"input_tokens": 1, "output_tokens": 5e18}}', home);
    expect(absurd.code).toBe(2);
    expect(absurd.err).toMatch(/stdin: usage: output is 5000000000000000000, more than any request can have \(10\^10\)/);
    expect((await rows(home)).some((r: any) => r.key === 'absurd-1')).toBe(false);
  });

  describe('with a daemon', () => {
    let d: TestDaemon | undefined;
    afterEach(async () => {
      await d?.stop();
      d = undefined;
    });

    it('goes through the daemon, whose figures include it at once', async () => {
      d = await startTestDaemon();
      // Run without blocking this process: the daemon answering it lives here.
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [cli, 'ingest', '--session', 'pushed', '--model', 'claude-haiku-4-5', '--id', 'p-1'], {
          env: { PATH: process.env.PATH, HOME: dir.path, TOKENMETER_HOME: d!.home },
        });
        let err = '';
        c.stderr.on('data', (b: Buffer) => (err += b.toString()));
        c.on('exit', (code) => resolve({ code, err }));
        c.stdin.end('{"usage":{"input_tokens":10,"output_tokens":20}}');
      });
      expect(r.code, r.err).toBe(0);
      expect(await d.json('/healthz')).toBeTruthy();
      // Stored by the daemon (its telemetry path counts it), not written beside it.
      expect(await (await d.get('/metrics')).text()).toMatch(/^tokenmeter_ingested_events_total\{source="hook"\} 1$/m);
      expect(await sessionTotals(d, 'pushed')).toMatchObject({ requests: 1, input: 10, output: 20 });
    });

    it('stores the good events of a push and names the bad ones', async () => {
      d = await startTestDaemon();
      const ev = (id: string, output: number, ts = Date.now() - 1000) => ({
        ts, tool: 'api', source: 'hook', host: 'h', sessionId: 'mixed', project: '', model: 'claude-haiku-4-5', speed: 'standard',
        input: 1, output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, reasoning: 0, reportedCost: null, dedupKey: id, requestId: null, isSidechain: false,
      });
      const push = (events: unknown[]) => fetch(`${d!.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      const mixed = await push([ev('a', 10), ev('b', 5e18), ev('c', 1e308), ev('d', 5, Date.parse('2019-01-01')), { nonsense: true }, ev('e', 20)]);
      expect(mixed.status).toBe(200);
      expect(await mixed.json()).toEqual({
        stored: 2,
        rejected: [
          { index: 1, error: 'events[1]: output is 5000000000000000000, more than any request can have (10^10)' },
          { index: 2, error: 'events[2]: output is 1e+308, more than any request can have (10^10)' },
          { index: 3, error: 'events[3]: timestamp 2019-01-01T00:00:00.000Z is before 2023' },
          { index: 4, error: 'events[4]: ts is not a number' },
        ],
      });
      const none = await push([ev('x', 5e18)]);
      expect(none.status).toBe(400);
      await d.daemon.settleNow();
      expect(await sessionTotals(d, 'mixed')).toMatchObject({ requests: 2, output: 30 });
      expect((await d.get('/api/usage?group=day')).status).toBe(200);
    });
  });
});

describe('tokenmeter hook', () => {
  it("reads the transcripts a Stop or SubagentStop hook names", async () => {
    const home = join(dir.path, 'tm-hook');
    const project = join(dir.path, 'claude', 'projects', '-home-ana-hooked');
    const session = '88888888-8888-4888-8888-888888888888';
    mkdirSync(join(project, session, 'subagents'), { recursive: true });
    const main = join(project, `${session}.jsonl`);
    const agent = join(project, session, 'subagents', 'agent-a1.jsonl');
    writeFileSync(main, `${assistantLine({ sessionId: session, messageId: 'msg_h1', requestId: 'req_h1', output: 11 })}\n`);
    writeFileSync(agent, `${assistantLine({ sessionId: session, messageId: 'msg_h2', requestId: 'req_h2', output: 22, isSidechain: true })}\n`);
    const r = run(['hook'], JSON.stringify({ session_id: session, transcript_path: main, agent_transcript_path: agent, hook_event_name: 'SubagentStop', cwd: '/home/ana/hooked' }), home);
    expect(r).toMatchObject({ code: 0, out: '' });
    expect((await rows(home)).map((x: any) => [x.key, x.output])).toEqual([['msg_h1', 11], ['msg_h2', 22]]);
  });

  it('reads what it can and exits 0 when a path is a FIFO, which would block a plain open forever', async () => {
    const home = join(dir.path, 'tm-hook-fifo');
    const project = join(dir.path, 'claude', 'projects', '-home-ana-fifo');
    mkdirSync(project, { recursive: true });
    const fifo = join(project, 'blocked.jsonl');
    execFileSync('mkfifo', [fifo]);
    const agent = join(project, 'agent-ok.jsonl');
    writeFileSync(agent, `${assistantLine({ messageId: 'msg_f1', requestId: 'req_f1', output: 33 })}\n`);
    const r = run(['hook'], JSON.stringify({ transcript_path: fifo, agent_transcript_path: agent }), home);
    expect(r).toMatchObject({ code: 0, out: '' });
    expect((await rows(home)).map((x: any) => [x.key, x.output])).toEqual([['msg_f1', 33]]);
  });

  it('exits 0 with nothing said on garbage, a missing file, or no path', async () => {
    const home = join(dir.path, 'tm-hook-bad');
    for (const stdin of ['not json', '{}', JSON.stringify({ transcript_path: '/nonexistent/x.jsonl' }), '']) {
      expect(run(['hook'], stdin, home)).toMatchObject({ code: 0, out: '', err: '' });
    }
  });
});
