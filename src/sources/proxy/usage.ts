// Usage read from API responses as they pass through the proxy: Anthropic Messages (JSON, SSE), OpenAI Chat
// Completions (JSON, SSE with a final usage chunk) and OpenAI Responses (JSON, SSE response.completed / incomplete /
// failed). Bytes are fed as they pass; only events that can carry usage are parsed, and nothing of the text is kept.
import { emptyCounts, MAX_REQUEST_TOKENS, splitCachedInput, totalTokens, type TokenCounts } from '../../core/event.js';
import { BoundedText, PARSE_WHOLE_BYTES, skeletonOf } from './bounded-text.js';
import { quoteValue } from '../../core/text.js';

export type ApiKind = 'anthropic' | 'openai';

export interface ObservedUsage extends TokenCounts {
  model: string;
  /** The provider's response id (Anthropic's message id, OpenAI's chatcmpl- or resp- id). */
  responseId: string | null;
  speed: 'standard' | 'fast';
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** A usage figure that cannot be a count: the response's accounting fails rather than storing a made-up request. */
class UsageFieldError extends Error {}

/** A token count of a usage object: absent or null is 0; anything but a plausible whole count is an error. */
function num(o: Json | undefined, k: string): number {
  const v = o?.[k];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_REQUEST_TOKENS) {
    throw new UsageFieldError(`usage field ${k} is ${quoteValue(v, 40)}, not a token count`);
  }
  return Math.round(v);
}

/** Anthropic usage, in its own convention (input excludes cache reads and writes). */
function anthropicCounts(u: Json): TokenCounts {
  const split = obj(u.cache_creation);
  const writes = num(u, 'cache_creation_input_tokens');
  return {
    ...emptyCounts(), input: num(u, 'input_tokens'), output: num(u, 'output_tokens'), cacheRead: num(u, 'cache_read_input_tokens'),
    cacheWrite5m: split ? num(split, 'ephemeral_5m_input_tokens') : writes, cacheWrite1h: split ? num(split, 'ephemeral_1h_input_tokens') : 0,
  };
}

/** OpenAI usage (Chat: prompt/completion; Responses: input/output), input including cached, output reasoning. */
function openaiCounts(u: Json): TokenCounts {
  const chat = 'prompt_tokens' in u || 'completion_tokens' in u;
  const inTotal = num(u, chat ? 'prompt_tokens' : 'input_tokens');
  const cached = num(obj(u[chat ? 'prompt_tokens_details' : 'input_tokens_details']), 'cached_tokens');
  const output = num(u, chat ? 'completion_tokens' : 'output_tokens');
  const reasoning = Math.min(num(obj(u[chat ? 'completion_tokens_details' : 'output_tokens_details']), 'reasoning_tokens'), output);
  return { ...emptyCounts(), ...splitCachedInput(inTotal, cached), output, reasoning };
}

const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');
/** Only events that can carry usage or the model are parsed; text deltas are passed over. */
const WORTH_PARSING = [Buffer.from('"usage"'), Buffer.from('"message_start"'), Buffer.from('"model"')];

export class UsageObserver {
  private readonly sse: boolean;
  /** The SSE line being received, or the whole JSON body. */
  private current = new BoundedText();
  private model: string | null = null;
  private id: string | null = null;
  private usage: TokenCounts | null = null;
  private fast = false;
  /** Why usage could not be read, when it could not. */
  failure: string | null = null;

  constructor(private readonly kind: ApiKind, contentType: string, requestModel: string | null) {
    this.sse = contentType.includes('text/event-stream');
    this.model = requestModel;
  }

  /** Bytes of the response held for reading usage. */
  get bufferedBytes(): number {
    return this.current.keptBytes;
  }

  /** Takes the next bytes of the response: linear in their size, whatever the lengths of its lines. */
  feed(chunk: Buffer): void {
    if (this.failure) return;
    try {
      if (!this.sse) {
        this.current.push(chunk);
        return;
      }
      let from = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
        // Most lines lie whole within one chunk: read in place, nothing copied.
        if (this.current.length === 0) this.sseBytes(chunk.subarray(from, nl));
        else {
          this.current.push(chunk.subarray(from, nl));
          this.sseLine(this.current);
          this.current = new BoundedText();
        }
        from = nl + 1;
      }
      this.current.push(chunk.subarray(from));
    } catch (e) {
      this.fail(e, 'stream');
    }
  }

  private fail(e: unknown, what: string): void {
    this.failure = e instanceof UsageFieldError ? e.message : `unreadable ${what}: ${(e as Error).name}`;
  }

  private sseLine(line: BoundedText): void {
    const whole = line.whole();
    if (whole) this.sseBytes(whole);
    else if (line.startsWith(DATA) && WORTH_PARSING.some((m) => line.includes(m))) this.event(skeletonOf(line, DATA.length));
  }

  private sseBytes(line: Buffer): void {
    if (line.length > PARSE_WHOLE_BYTES) {
      const big = new BoundedText();
      big.push(line);
      this.sseLine(big);
      return;
    }
    if (!line.subarray(0, DATA.length).equals(DATA) || !WORTH_PARSING.some((m) => line.includes(m))) return;
    const data = line.toString('utf8', DATA.length).trim();
    if (data.startsWith('{')) this.event(JSON.parse(data) as Json);
  }

  private event(e: Json): void {
    if (this.kind === 'anthropic') {
      if (e.type === 'message_start') {
        const m = obj(e.message);
        this.id = str(m?.id) ?? this.id;
        this.model = str(m?.model) ?? this.model;
        const u = obj(m?.usage);
        if (u) {
          this.usage = anthropicCounts(u);
          this.fast = u.speed === 'fast';
        }
      } else if (e.type === 'message_delta') {
        // Cumulative: the last message_delta's figures replace message_start's, field by field; never added.
        const u = obj(e.usage);
        if (u) {
          const base = this.usage ?? emptyCounts();
          const d = anthropicCounts(u);
          this.usage = {
            ...base,
            output: 'output_tokens' in u ? d.output : base.output,
            input: 'input_tokens' in u ? d.input : base.input,
            cacheRead: 'cache_read_input_tokens' in u ? d.cacheRead : base.cacheRead,
            cacheWrite5m: 'cache_creation_input_tokens' in u || 'cache_creation' in u ? d.cacheWrite5m : base.cacheWrite5m,
            cacheWrite1h: 'cache_creation' in u ? d.cacheWrite1h : base.cacheWrite1h,
          };
        }
      } else if (e.type === 'message' || obj(e.usage)) {
        // A whole (non-streamed) message.
        this.id = str(e.id) ?? this.id;
        this.model = str(e.model) ?? this.model;
        const u = obj(e.usage);
        if (u) {
          this.usage = anthropicCounts(u);
          this.fast = u.speed === 'fast';
        }
      }
      return;
    }
    // OpenAI: Responses events wrap the response; Chat chunks and whole responses carry usage at the top.
    const type = str(e.type);
    const response = type?.startsWith('response.') ? obj(e.response) : e.object === 'response' ? e : undefined;
    if (response) {
      this.id = str(response.id) ?? this.id;
      this.model = str(response.model) ?? this.model;
      const u = obj(response.usage);
      if (u && (type === null || !type.startsWith('response.') || ['response.completed', 'response.incomplete', 'response.failed'].includes(type))) this.usage = openaiCounts(u);
      return;
    }
    this.id = str(e.id) ?? this.id;
    this.model = str(e.model) ?? this.model;
    const u = obj(e.usage);
    if (u) this.usage = openaiCounts(u);
  }

  /** The usage the response carried, or null (with `failure` saying why, unless the response has none). */
  result(): ObservedUsage | null {
    if (this.failure) return null;
    try {
      if (!this.sse) {
        if (this.current.length === 0) return null;
        const whole = this.current.whole();
        const e = whole ? obj(JSON.parse(whole.toString('utf8'))) : skeletonOf(this.current);
        if (e) this.event(e);
      } else if (this.current.length > 0) {
        this.sseLine(this.current);
      }
    } catch (e) {
      this.fail(e, this.sse ? 'stream' : 'JSON');
      return null;
    }
    if (!this.usage) return null;
    if (totalTokens(this.usage) === 0) {
      // Every real request has input: a usage object without a single count is not one.
      this.failure = 'usage without any token count';
      return null;
    }
    return { ...this.usage, model: this.model ?? 'unknown', responseId: this.id, speed: this.fast ? 'fast' : 'standard' };
  }
}
