// Reading usage from API responses as they pass: in bounded memory and linear time whatever the line lengths, from
// the ends of lines too large to parse, and never a request made up from figures that are not counts.
import { describe, expect, it } from 'vitest';
import { BoundedText, firstString, lastObject, skeletonOf } from '../../../src/sources/proxy/bounded-text.js';
import { UsageObserver } from '../../../src/sources/proxy/usage.js';

const usage = { input_tokens: 5000, input_tokens_details: { cached_tokens: 4096 }, output_tokens: 700, output_tokens_details: { reasoning_tokens: 512 } };
const completed = (text: string, u: object = usage) => `event: response.completed\ndata: ${JSON.stringify({
  type: 'response.completed', sequence_number: 9,
  response: { id: 'resp_1', object: 'response', instructions: 'x'.repeat(30_000), model: 'gpt-5', output: [{ type: 'message', id: 'msg_o', content: [{ type: 'output_text', text }] }], usage: u, user: null, metadata: { a: '1' } },
})}\n\n`;

/** Feeds a text in pieces of `size` bytes, checking what the observer holds after each. */
function feed(o: UsageObserver, text: string | Buffer, size: number): number {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let most = 0;
  for (let i = 0; i < buf.length; i += size) {
    o.feed(buf.subarray(i, i + size));
    most = Math.max(most, o.bufferedBytes);
  }
  return most;
}

describe('UsageObserver', () => {
  it('holds at most ~1.3 MB of a 16 MB response.completed line and reads its usage from the ends', () => {
    const o = new UsageObserver('openai', 'text/event-stream', null);
    const most = feed(o, completed('w'.repeat(16 << 20)), 64 << 10);
    expect(most).toBeLessThanOrEqual((1 << 20) + (320 << 10));
    expect(o.result()).toEqual({ input: 904, cacheRead: 4096, output: 700, reasoning: 512, cacheWrite5m: 0, cacheWrite1h: 0, model: 'gpt-5', responseId: 'resp_1', speed: 'standard' });
  });

  it('is not fooled by usage-like text inside the output, escaped or at a line\'s end', () => {
    const tricky = `${'a'.repeat(300_000)} "usage":{"input_tokens":1} ,"usage":{"output_tokens":2}}]} {"model":"fake"} ` + '\\"usage\\":{}';
    for (const size of [1, 4096, 1 << 20]) {
      const o = new UsageObserver('openai', 'text/event-stream', null);
      feed(o, completed(tricky), size === 1 ? 997 : size);
      expect(o.result(), `pieces of ${size}`).toMatchObject({ input: 904, output: 700, model: 'gpt-5', responseId: 'resp_1' });
    }
  });

  it('reads a JSON body larger than it parses (Anthropic, OpenAI Chat) by its ends', () => {
    const anthropic = JSON.stringify({ id: 'msg_big', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'q'.repeat(3 << 20) }], stop_reason: 'end_turn', usage: { input_tokens: 12, cache_read_input_tokens: 3000, output_tokens: 64000 } });
    const a = new UsageObserver('anthropic', 'application/json', null);
    feed(a, anthropic, 65536);
    expect(a.result()).toMatchObject({ model: 'claude-sonnet-4-5', responseId: 'msg_big', input: 12, cacheRead: 3000, output: 64000 });
    const chat = JSON.stringify({ id: 'chatcmpl-big', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'r'.repeat(3 << 20), tool_calls: [{ type: 'function' }] } }], usage: { prompt_tokens: 100, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 40 } } });
    const c = new UsageObserver('openai', 'application/json', null);
    feed(c, chat, 65536);
    expect(c.result()).toMatchObject({ model: 'gpt-4o', responseId: 'chatcmpl-big', input: 60, cacheRead: 40, output: 50 });
  });

  it('keeps a UTF-8 character split between two chunks whole', () => {
    const o = new UsageObserver('anthropic', 'text/event-stream', null);
    const line = Buffer.from(`data: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_é', model: 'claude-é', usage: { input_tokens: 3, output_tokens: 1 } } })}\n\n`);
    feed(o, line, 1);
    expect(o.result()).toMatchObject({ responseId: 'msg_é', model: 'claude-é', input: 3 });
  });

  it('fails the accounting, naming the field, for counts that are not counts, and for usage without any', () => {
    for (const [u, why] of [
      [{ input_tokens: 'many', output_tokens: 3 }, /usage field input_tokens is "many"/],
      [{ input_tokens: 5e18, output_tokens: 3 }, /usage field input_tokens is 5000000000000000000/],
      [{ input_tokens: -4 }, /usage field input_tokens is -4/],
      [{}, /usage without any token count/],
    ] as const) {
      const o = new UsageObserver('openai', 'text/event-stream', null);
      feed(o, completed('ok', u), 4096);
      expect(o.result()).toBeNull();
      expect(o.failure).toMatch(why);
    }
  });
});

describe('BoundedText', () => {
  it('finds keys, not text: a quote inside a string is always escaped', () => {
    const b = Buffer.from('{"text":"say \\"id\\": \\"no\\"", "id" : "yes","nested":{"usage":{"a":1}},"s":"\\"usage\\":{\\"a\\":2}","usage":{"a":3,"b":"}"}}');
    expect(firstString(b, 'id')).toBe('yes');
    expect(lastObject(b, 'usage')).toEqual({ a: 3, b: '}' });
    expect(lastObject(Buffer.from('{"usage":null}'), 'usage')).toBeNull();
  });

  it('keeps a small text whole and a large one as its two ends', () => {
    const t = new BoundedText();
    t.push(Buffer.from('data: {"type":"x"}'));
    expect(t.whole()!.toString()).toBe('data: {"type":"x"}');
    const big = new BoundedText();
    for (let i = 0; i < 100; i++) big.push(Buffer.alloc(100_000, 0x61));
    expect(big.whole()).toBeNull();
    expect(big.keptBytes).toBeLessThanOrEqual((1 << 20) + (356 << 10));
    expect(skeletonOf(big)).toEqual({ type: null, id: null, model: null, object: null, usage: null });
  });
});
