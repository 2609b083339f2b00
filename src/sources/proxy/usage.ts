// Usage read from API responses as they pass through the proxy: Anthropic Messages (JSON, SSE), OpenAI Chat
// Completions (JSON, SSE with a final usage chunk) and OpenAI Responses (JSON, SSE response.completed / incomplete /
// failed). Bytes are fed as they pass; only events that can carry usage are parsed, and nothing of the text is kept.
import { emptyCounts, splitCachedInput, type TokenCounts } from '../../core/event.js';

export type ApiKind = 'anthropic' | 'openai';

export interface ObservedUsage extends TokenCounts {
  model: string;
  /** The provider's response id (Anthropic's message id, OpenAI's chatcmpl- or resp- id). */
  responseId: string | null;
  speed: 'standard' | 'fast';
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const num = (o: Json | undefined, k: string) => (o && typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k] as number) >= 0 ? Math.round(o[k] as number) : 0);
const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

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

export class UsageObserver {
  private chunks: Buffer[] = [];
  private size = 0;
  private sse: boolean;
  private pending = '';
  private model: string | null = null;
  private id: string | null = null;
  private usage: TokenCounts | null = null;
  private fast = false;
  private overflow = false;
  /** Why usage could not be read, when it could not. */
  failure: string | null = null;

  /** A JSON body larger than this is not buffered for accounting (it is still passed on whole). */
  static readonly MAX_JSON_BYTES = 16 << 20;

  constructor(private readonly kind: ApiKind, contentType: string, requestModel: string | null) {
    this.sse = contentType.includes('text/event-stream');
    this.model = requestModel;
  }

  feed(chunk: Buffer): void {
    if (this.failure) return;
    try {
      if (!this.sse) {
        this.size += chunk.length;
        if (this.size > UsageObserver.MAX_JSON_BYTES) this.overflow = true;
        else this.chunks.push(chunk);
        return;
      }
      const text = this.pending + chunk.toString('utf8');
      const lines = text.split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) this.sseLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    } catch (e) {
      this.failure = `unreadable stream: ${(e as Error).name}`;
    }
  }

  private sseLine(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    // Only events that can carry usage or the model are parsed; text deltas are passed over.
    if (!data.startsWith('{') || !(data.includes('"usage"') || data.includes('"message_start"') || data.includes('"model"'))) return;
    const e = JSON.parse(data) as Json;
    this.event(e);
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
      if (u && (type === null || ['response.completed', 'response.incomplete', 'response.failed'].includes(type))) this.usage = openaiCounts(u);
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
        if (this.overflow) {
          this.failure = 'response too large to read for usage';
          return null;
        }
        if (this.size === 0) return null;
        const e = obj(JSON.parse(Buffer.concat(this.chunks).toString('utf8')));
        if (e) this.event(e);
      } else if (this.pending) {
        this.sseLine(this.pending);
      }
    } catch (e) {
      this.failure = `unreadable ${this.sse ? 'stream' : 'JSON'}: ${(e as Error).name}`;
      return null;
    }
    if (!this.usage) return null;
    return { ...this.usage, model: this.model ?? 'unknown', responseId: this.id, speed: this.fast ? 'fast' : 'standard' };
  }
}
