import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTranscriptBytes, parseTranscriptLine, RepeatDetector, type FileContext } from '../../../src/sources/claude-code/parse.js';
import { assistantLine, userLine } from '../../helpers/transcript.js';

const ctx: FileContext = { host: 'laptop', sessionFallback: 'file-stem', projectFallback: '-home-ana-api', fileKey: '/x/s.jsonl' };

function event(line: string) {
  const out = parseTranscriptLine(line, ctx, 0);
  if (out.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(out)}`);
  return out.event;
}

describe('Claude Code assistant lines', () => {
  it('reads every field of a current-version line', () => {
    const e = event(assistantLine({ cacheWrite5m: 1500, cacheWrite1h: 320 }));
    expect(e).toMatchObject({
      ts: Date.parse('2026-03-02T14:05:11.204Z'),
      tool: 'claude-code',
      source: 'transcript',
      host: 'laptop',
      sessionId: '3b9e2a10-5c4d-4e8f-9a01-2d7c6b5e4f33',
      project: '/home/ana/api',
      model: 'claude-sonnet-4-5-20250929',
      input: 4,
      output: 212,
      cacheRead: 41237,
      cacheWrite5m: 1500,
      cacheWrite1h: 320,
      reasoning: 0,
      speed: 'standard',
      reportedCost: null,
      dedupKey: 'msg_01HkT9',
      requestId: 'req_011CXa7Qm',
      isSidechain: false,
    });
  });

  it('does not depend on the order of keys', () => {
    expect(event(assistantLine({ messageLast: true }))).toEqual(event(assistantLine()));
  });

  it('takes cache writes from cache_creation_input_tokens when the 5m/1h split is absent', () => {
    const e = event(assistantLine({ noSplit: true, cacheWrite5m: 2048 }));
    expect([e.cacheWrite5m, e.cacheWrite1h]).toEqual([2048, 0]);
  });

  it('keys on the message id, with or without a request id, and on file and offset without a message id', () => {
    expect(event(assistantLine({ requestId: null }))).toMatchObject({ dedupKey: 'msg_01HkT9', requestId: null });
    const out = parseTranscriptLine(assistantLine({ messageId: null }), ctx, 4096);
    expect(out.kind === 'event' && out.event.dedupKey).toBe('line:/x/s.jsonl:4096');
  });

  it('reads fast mode, sidechains and the old costUSD', () => {
    const e = event(assistantLine({ speed: 'fast', isSidechain: true, costUSD: 0.0421 }));
    expect([e.speed, e.isSidechain, e.reportedCost]).toEqual(['fast', true, 0.0421]);
  });

  it('falls back to the file name and project folder when a line has no session or cwd', () => {
    const line = JSON.parse(assistantLine()) as Record<string, unknown>;
    delete line.sessionId;
    delete line.cwd;
    const e = event(JSON.stringify(line));
    expect([e.sessionId, e.project]).toEqual(['file-stem', '-home-ana-api']);
  });

  it('reads the message model and usage, not look-alikes inside content', () => {
    const content = [
      { type: 'text', text: 'The API returns "usage": {"input_tokens": 999999} and \\"model\\": x' },
      { type: 'tool_use', id: 't', name: 'Agent', input: { model: 'claude-haiku-4-5', usage: { input_tokens: 777777 }, id: 'fake' } },
    ];
    const e = event(assistantLine({ content }));
    expect([e.model, e.input, e.dedupKey]).toEqual(['claude-sonnet-4-5-20250929', 4, 'msg_01HkT9']);
  });

  it('handles escapes, unicode and CRLF endings', () => {
    const e = event(`${assistantLine({ cwd: '/home/ana/projets/été "2026"', content: [{ type: 'text', text: 'ligne\\n\\u00e9\\\\' }] })}\r`);
    expect(e.project).toBe('/home/ana/projets/été "2026"');
  });

  it('ignores unknown fields and new usage members', () => {
    const line = JSON.parse(assistantLine()) as { message: { usage: Record<string, unknown> } } & Record<string, unknown>;
    line.message.usage.some_future_counter = 12;
    line.entrypoint = 'cli';
    expect(event(JSON.stringify(line)).output).toBe(212);
  });
});

describe('lines that are not requests', () => {
  it('skips <synthetic> lines', () => {
    const line = assistantLine({ model: '<synthetic>', input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0 });
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({ kind: 'skip', reason: 'synthetic' });
  });

  it('skips progress lines, whose nested usage belongs to a subagent file', () => {
    const nested = JSON.parse(assistantLine()) as Record<string, unknown>;
    const line = JSON.stringify({ type: 'progress', data: { type: 'agent_progress', message: nested }, timestamp: '2026-03-02T14:05:11.204Z' });
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({ kind: 'skip', reason: 'progress' });
  });

  it('skips user lines even when a tool result carries a usage summary', () => {
    const line = userLine('done', { toolUseResult: { totalTokens: 13208, usage: { input_tokens: 8, output_tokens: 300 } } });
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({ kind: 'skip', reason: 'other-type' });
  });

  it('skips queue-operation and other line types', () => {
    expect(parseTranscriptLine('{"type":"queue-operation","operation":"enqueue","usage":1}', ctx, 0).kind).toBe('skip');
  });
});

describe('bad lines get a reason', () => {
  it('reports a wrong usage type', () => {
    const line = assistantLine().replace(/"usage":\{[^}]*\{[^}]*\}[^}]*\{[^}]*\}[^}]*\}/, '"usage":"oops"');
    expect(line).toContain('"usage":"oops"');
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({ kind: 'error', message: 'message.usage is "oops", expected an object' });
  });

  it('names the field with a wrong type', () => {
    const line = assistantLine().replace('"output_tokens":212', '"output_tokens":"212"');
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({
      kind: 'error',
      message: 'message.usage.output_tokens is "212", expected a non-negative number',
    });
  });

  it('reports truncated and malformed JSON', () => {
    const line = assistantLine();
    const truncated = parseTranscriptLine(line.slice(0, line.length - 40), ctx, 0);
    expect(truncated.kind).toBe('error');
    expect(truncated.kind === 'error' && truncated.message).toMatch(/^malformed JSON/);
    expect(parseTranscriptLine('{"type":"assistant","usage":{,}', ctx, 0).kind).toBe('error');
    expect(parseTranscriptLine(`${line}garbage`, ctx, 0).kind).toBe('error');
    // The message says where, never what: the line may hold prompt text.
    const secret = parseTranscriptLine('{"message": {"content": "my secret prompt"}, oops}', ctx, 0);
    expect(secret).toEqual({ kind: 'error', message: 'malformed JSON at byte 45' });
  });

  it('reports a missing or invalid timestamp', () => {
    const line = assistantLine({ timestamp: 'yesterday' });
    expect(parseTranscriptLine(line, ctx, 0)).toEqual({ kind: 'error', message: 'timestamp is "yesterday", expected an ISO-8601 time' });
  });

  it('prices nothing it cannot name: a request without a model is an error', () => {
    const line = JSON.parse(assistantLine()) as { message: Record<string, unknown> };
    delete line.message.model;
    expect(parseTranscriptLine(JSON.stringify(line), ctx, 0)).toEqual({ kind: 'error', message: 'message.model is missing' });
  });
});

describe('latin1 mode (how the scanner hands lines over)', () => {
  it('decodes kept values exactly as a UTF-8 read would', () => {
    const line = assistantLine({
      cwd: '/home/ana/projets/été/中文 🚀',
      sessionId: 'séance-1',
      content: [{ type: 'text', text: 'résumé → ✓ "quoted" \\ back' }, { type: 'tool_use', id: 'x', name: 'Write', input: { content: '😀'.repeat(50) } }],
    });
    const asLatin1 = Buffer.from(line, 'utf8').toString('latin1');
    const out = parseTranscriptLine(asLatin1, ctx, 0, true);
    expect(out).toEqual(parseTranscriptLine(line, ctx, 0));
    expect(out.kind === 'event' && out.event.project).toBe('/home/ana/projets/été/中文 🚀');
  });

  it('decodes escaped and raw non-ASCII together, and in the JSON.parse fallback', () => {
    const line = assistantLine({ cwd: '/tmp/\u00e9t\u00e9-é' }).replace('"cwd":"/tmp/été-é"', '"cwd":"/tmp/\\u00e9t\\u00e9-é"');
    expect(line).toContain('\\u00e9');
    const out = parseTranscriptLine(Buffer.from(line).toString('latin1'), ctx, 0, true);
    expect(out.kind === 'event' && out.event.project).toBe('/tmp/été-é');
    const bad = parseTranscriptLine(Buffer.from('{"type":"user","x":"é"').toString('latin1'), ctx, 0, true);
    expect(bad.kind).toBe('error');
  });
});

const repeat = (d: RepeatDetector, line: string) => {
  const bytes = Buffer.from(`padding\n${line}\n`);
  return d.isRepeat(bytes, 8, bytes.length - 1);
};

describe('RepeatDetector', () => {
  it('recognizes a line that repeats the one before (another content block of the same response)', () => {
    const d = new RepeatDetector();
    const blocks = [[{ type: 'thinking', thinking: 'hmm' }], [{ type: 'text', text: 'ok' }], [{ type: 'tool_use', id: 't', name: 'Read', input: {} }]];
    const lines = blocks.map((content) => assistantLine({ content }));
    expect(lines.map((l) => repeat(d, l))).toEqual([false, true, true]);
  });

  it('never calls a line a repeat when its usage, request or message differs', () => {
    const d = new RepeatDetector();
    expect(repeat(d, assistantLine({ output: 5 }))).toBe(false);
    expect(repeat(d, assistantLine({ output: 212 }))).toBe(false);
    expect(repeat(d, assistantLine({ output: 212, requestId: 'req_other' }))).toBe(false);
    expect(repeat(d, assistantLine({ output: 212, requestId: 'req_other', messageId: 'msg_other' }))).toBe(false);
    expect(repeat(d, userLine())).toBe(false);
    expect(repeat(d, userLine())).toBe(false);
  });

  it('reads keys in the older order too, where the request id precedes the message', () => {
    const d = new RepeatDetector();
    const older = (text: string, requestId = 'req_1') => assistantLine({ messageLast: true, requestId, content: [{ type: 'text', text }] });
    expect(repeat(d, older('a'))).toBe(false);
    expect(repeat(d, older('b'))).toBe(true);
    expect(repeat(d, older('c', 'req_2'))).toBe(false);
  });

  it('is not fooled by look-alike keys inside content', () => {
    const d = new RepeatDetector();
    const tool = (requestId: string) => [{ type: 'tool_use', id: 't', name: 'Call', input: { requestId: 'req_fake', usage: { n: 1 } } }];
    expect(repeat(d, assistantLine({ requestId: 'req_a', content: tool('a') }))).toBe(false);
    expect(repeat(d, assistantLine({ requestId: 'req_b', content: tool('b') }))).toBe(false);
  });
});

describe('thinking tokens', () => {
  it('reads output_tokens_details.thinking_tokens as reasoning, a part of output', () => {
    const line = JSON.parse(assistantLine({ output: 500 })) as { message: { usage: Record<string, unknown> } };
    line.message.usage.output_tokens_details = { thinking_tokens: 320 };
    const out = parseTranscriptLine(JSON.stringify(line), ctx, 0);
    expect(out.kind === 'event' && [out.event.output, out.event.reasoning]).toEqual([500, 320]);
  });
});

describe('parseTranscriptBytes (the content cut out before decoding)', () => {
  const USAGE = Buffer.from('"usage"');
  /** Every line of `text` that holds the marker, read both ways: the bytes path must say what the whole line says. */
  const bothWays = (text: string) => {
    const buf = Buffer.from(`${text}\n`);
    let start = 0;
    let lines = 0;
    for (let nl = buf.indexOf(10); nl >= 0; start = nl + 1, nl = buf.indexOf(10, start)) {
      const hit = buf.indexOf(USAGE, start);
      if (hit < 0 || hit >= nl) continue;
      lines++;
      const whole = parseTranscriptLine(buf.toString('utf8', start, nl), ctx, start);
      expect(parseTranscriptBytes(buf, start, nl, hit, ctx, start), buf.toString('utf8', start, nl).slice(0, 120)).toEqual(whole);
    }
    return lines;
  };

  it('reads every line the real Claude Code versions wrote as the whole line reads', () => {
    const dir = join(__dirname, '..', '..', 'fixtures', 'claude-code');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(5);
    let lines = 0;
    for (const f of files) lines += bothWays(readFileSync(join(dir, f), 'utf8'));
    expect(lines).toBeGreaterThan(20);
  });

  it('falls back on the whole line where the cut would land wrong, and says the same', () => {
    const lines = [
      // The content's own keys look like the message's: a tool input with stop_reason and usage of its own.
      assistantLine({ content: [{ type: 'tool_use', id: 't', name: 'Call', input: { stop_reason: 'x', usage: { n: 1 }, content: [1] } }] }),
      assistantLine({ content: [{ type: 'text', text: '"content":[ ],"stop_reason":"end_turn","usage":{"input_tokens":999}' }] }),
      // Non-ASCII kept values and content, escapes, the older key order, a synthetic message, a progress line.
      assistantLine({ cwd: '/home/ana/été/中文', content: [{ type: 'text', text: 'résumé ✓ \\"q\\"' }] }),
      assistantLine({ messageLast: true }),
      assistantLine({ model: '<synthetic>', input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0 }),
      JSON.stringify({ type: 'progress', data: { message: { type: 'assistant', message: { id: 'msg_p', content: [], stop_reason: null, usage: { input_tokens: 5 } } } } }),
      // Broken: half a line, a usage that is not an object, no content at all.
      assistantLine().slice(0, -40),
      assistantLine().replace(/"usage":\{[^}]*\}[^}]*\}/, '"usage":"oops"'),
      JSON.stringify({ type: 'assistant', timestamp: '2026-03-02T14:05:11.204Z', message: { id: 'msg_x', model: 'claude-sonnet-4-5', stop_reason: null, usage: { input_tokens: 3, output_tokens: 4 } } }),
    ];
    expect(bothWays(lines.join('\n'))).toBe(lines.length);
  });
});
