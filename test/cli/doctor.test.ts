// tokenmeter doctor's findings on setups the seeds warn about, each with its fix.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistantLine, tempDir } from '../helpers/transcript.js';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  const project = join(dir.path, 'claude', 'projects', '-home-ana-api');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 's.jsonl'), [
    assistantLine({ messageId: 'msg_d1', model: 'claude-sonnet-4-5-20250929' }),
    '{"type":"assistant","message":{"usage":{"input_tokens":1}, broken',
    assistantLine({ messageId: 'msg_d2', model: 'acme-model-9000' }),
  ].join('\n') + '\n');
});
afterAll(() => dir?.cleanup());

function doctor(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [cli, 'doctor'], {
      env: { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm'), ...env },
    });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', (code) => resolve({ code, out }));
  });
}

describe('tokenmeter doctor', () => {
  it('finds telemetry that cannot work, a port taken by another program, bad lines and unpriced models', async () => {
    // Reports first index the transcripts (and record the bad line).
    await new Promise((r) => spawn(process.execPath, [cli, 'daily'], { env: { PATH: process.env.PATH, HOME: join(dir.path, 'home'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude'), TOKENMETER_HOME: join(dir.path, 'tm') } }).on('close', r));
    const other = createServer((_req, res) => res.end('not tokenmeter')).listen(0, '127.0.0.1');
    await new Promise((r) => other.once('listening', r));
    const port = String((other.address() as { port: number }).port);
    try {
      const r = await doctor({ TOKENMETER_PORT: port, CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' });
      expect(r.code).toBe(1);
      expect(r.out).toContain(`✗ port ${port} is taken by another program`);
      expect(r.out).toContain('✗ telemetry uses the otlp exporter with no OTEL_EXPORTER_OTLP_PROTOCOL');
      expect(r.out).toContain('fix: export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');
      expect(r.out).toContain('✗ OTEL_EXPORTER_OTLP_ENDPOINT "localhost:4318" is not an http(s) URL');
      expect(r.out).toContain('✗ 1 log line could not be read');
      expect(r.out).toMatch(/Lines that could not be read:\n  .*s\.jsonl:2: malformed JSON/);
      expect(r.out).toMatch(/s\.jsonl:2: malformed JSON/);
      expect(r.out).toContain('! no price known for acme-model-9000 (1 request;');
      expect(r.out).toMatch(/✓ Claude Code: 1 log file under .*\n/);
      expect(r.out).toMatch(/✓ not found \(not in use here\?\): Codex CLI \(.*\.codex; CODEX_HOME\); Gemini CLI/);
    } finally {
      other.close();
    }
  });

  it('exits 0 on advice alone and 1 when log lines could not be read', async () => {
    const clean = tempDir();
    try {
      const project = join(clean.path, 'claude', 'projects', '-home-ana-api');
      mkdirSync(project, { recursive: true });
      const file = join(project, 's.jsonl');
      writeFileSync(file, `${assistantLine({ messageId: 'msg_c1' })}\n`);
      const env = { PATH: process.env.PATH, HOME: join(clean.path, 'home'), CLAUDE_CONFIG_DIR: join(clean.path, 'claude'), TOKENMETER_HOME: join(clean.path, 'tm'), TOKENMETER_PORT: '9' };
      const daily = () => new Promise((r) => spawn(process.execPath, [cli, 'daily'], { env }).on('close', r));
      const run = () => new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, [cli, 'doctor'], { env });
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.on('close', (code) => resolve({ code, out }));
      });
      await daily();
      const advice = await run();
      expect(advice.out).toContain('! no daemon running');
      expect(advice.out).not.toContain('✗');
      expect(advice.code).toBe(0);
      writeFileSync(file, `${assistantLine({ messageId: 'msg_c1' })}\n{"type":"assistant","message":{"usage":{"output_tokens":1e30}}, cut\n${assistantLine({ messageId: 'msg_c2' })}\n`);
      await daily();
      const broken = await run();
      expect(broken.out).toContain('✗ 1 log line could not be read');
      expect(broken.code).toBe(1);
    } finally {
      clean.cleanup();
    }
  });

  it('times the status line command Claude Code would run', async () => {
    mkdirSync(join(dir.path, 'claude'), { recursive: true });
    writeFileSync(join(dir.path, 'claude', 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: 'sleep 0.4; echo slow' } }));
    const r = await doctor({});
    expect(r.out).toMatch(/! the status line command took \d+ ms \(Claude Code refreshes it at most every 300 ms\): sleep 0\.4; echo slow/);
    writeFileSync(join(dir.path, 'claude', 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: `${process.execPath} ${cli} statusline` } }));
    // Timed against a budget set for this test: a loaded machine starts Node slowly, which is not what is tested here.
    expect((await doctor({ TOKENMETER_STATUSLINE_BUDGET_MS: '60000' })).out).toMatch(/✓ status line answers in \d+ ms/);
  });
});
