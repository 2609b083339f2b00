// Usage pushed by a script or hook (`tokenmeter ingest`): a usage object in Anthropic's shape, OpenAI's Chat
// Completions shape or its Responses shape, alone (`{"usage": {...}}`) or inside a whole API response.
import { emptyCounts, implausibility, splitCachedInput, type Tool, type UsageEvent } from '../../core/event.js';
import { quoteValue } from '../../core/text.js';

export class UsageShapeError extends Error {}

export interface PushedUsageOptions {
  model?: string;
  tool?: Tool;
  session?: string;
  project?: string;
  /** Makes the push idempotent: the same id is stored once. */
  id?: string;
  host: string;
  now: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

function count(u: Json, key: string, where: string): number {
  const v = u[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageShapeError(`${where}.${key}: expected a non-negative number, got ${quoteValue(v)}`);
  return Math.round(v);
}

export function parsePushedUsage(body: unknown, o: PushedUsageOptions): UsageEvent {
  const top = obj(body);
  if (!top) throw new UsageShapeError('expected a JSON object with a "usage" object');
  const usage = obj(top.usage) ?? obj(obj(top.response)?.usage);
  if (!usage) throw new UsageShapeError('no "usage" object (expected {"usage": {...}} or an API response)');
  const response = obj(top.response) ?? top;
  const ev: UsageEvent = {
    ...emptyCounts(), ts: o.now, tool: o.tool ?? 'api', source: 'hook', host: o.host, sessionId: o.session ?? 'ingest',
    project: o.project ?? '', model: o.model ?? (typeof response.model === 'string' && response.model ? response.model : ''),
    speed: 'standard', reportedCost: null, dedupKey: '', requestId: null, isSidechain: false,
  };
  if ('prompt_tokens' in usage || 'completion_tokens' in usage) {
    // OpenAI Chat Completions: prompt includes cached tokens; completion includes reasoning.
    const cached = count(obj(usage.prompt_tokens_details) ?? {}, 'cached_tokens', 'usage.prompt_tokens_details');
    Object.assign(ev, splitCachedInput(count(usage, 'prompt_tokens', 'usage'), cached));
    ev.output = count(usage, 'completion_tokens', 'usage');
    ev.reasoning = Math.min(count(obj(usage.completion_tokens_details) ?? {}, 'reasoning_tokens', 'usage.completion_tokens_details'), ev.output);
  } else if ('input_tokens_details' in usage || 'output_tokens_details' in usage) {
    // OpenAI Responses: the same conventions under Anthropic-like names.
    const cached = count(obj(usage.input_tokens_details) ?? {}, 'cached_tokens', 'usage.input_tokens_details');
    Object.assign(ev, splitCachedInput(count(usage, 'input_tokens', 'usage'), cached));
    ev.output = count(usage, 'output_tokens', 'usage');
    ev.reasoning = Math.min(count(obj(usage.output_tokens_details) ?? {}, 'reasoning_tokens', 'usage.output_tokens_details'), ev.output);
  } else if ('input_tokens' in usage || 'output_tokens' in usage) {
    // Anthropic: input excludes cache reads and writes; writes split by lifetime when the split is given.
    ev.input = count(usage, 'input_tokens', 'usage');
    ev.output = count(usage, 'output_tokens', 'usage');
    ev.cacheRead = count(usage, 'cache_read_input_tokens', 'usage');
    const split = obj(usage.cache_creation);
    const writes = count(usage, 'cache_creation_input_tokens', 'usage');
    ev.cacheWrite1h = split ? count(split, 'ephemeral_1h_input_tokens', 'usage.cache_creation') : 0;
    ev.cacheWrite5m = split ? count(split, 'ephemeral_5m_input_tokens', 'usage.cache_creation') : writes;
    if (usage.speed === 'fast') ev.speed = 'fast';
  } else {
    throw new UsageShapeError('the usage object has none of input_tokens/output_tokens (Anthropic, OpenAI Responses) or prompt_tokens/completion_tokens (OpenAI Chat)');
  }
  // A request without a model cannot be priced or told apart in reports: refused rather than stored as "unknown".
  if (!ev.model) throw new UsageShapeError('no model: pass --model, or send the whole API response (it names its model)');
  const absurd = implausibility(ev, o.now);
  if (absurd) throw new UsageShapeError(`usage: ${absurd}`);
  const id = o.id ?? (typeof response.id === 'string' && response.id ? response.id : undefined);
  // A response id is the provider's message id: the same key a transcript would store the response under.
  ev.dedupKey = id ?? `ingest:${o.now}:${Math.random().toString(36).slice(2)}`;
  return ev;
}
