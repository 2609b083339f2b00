// Qwen Code (../shared/reference/agents.md §4) records each model call twice: a line in its monthly token log
// (`usage/token-usage-YYYY-MM.jsonl`, no cwd, not written while usage statistics are off) and a `ui_telemetry`
// line in the session's chat file (`qwen-code.api_response`, not written with --chat-recording false). Both carry
// the same session, model, counts and duration to the millisecond, and nothing else in common (the log's `id` is
// its own): that is the key, so a call counts once whichever of them exists. The chat's copy knows the cwd and wins.
// `input` includes cache reads (and Anthropic's cache writes, which are not kept apart: they count as input);
// `output` includes reasoning, except under Gemini auth, where the thoughts come on top (told by the total).
import { splitCachedInput, type UsageEvent } from '../../core/event.js';
import { quoteValue } from '../../core/text.js';
import { count, FormatError, isObject, jsonObjectLine, nonEmpty, timeOf, type FileContext, type FileFormat, type FileParser } from '../file-format.js';

interface Call {
  ts: number;
  session: string;
  project: string;
  model: string;
  prompt: number;
  cached: number;
  output: number;
  thoughts: number;
  total: number;
  durationMs: number;
}

function callEvent(c: Call, host: string): UsageEvent {
  const { input, cacheRead } = splitCachedInput(c.prompt, c.cached);
  // Gemini passthrough reports thoughts beside the output: the total says which convention a record follows.
  const output = c.total > 0 && c.total === c.prompt + c.output + c.thoughts && c.thoughts > 0 ? c.output + c.thoughts : c.output;
  return {
    ts: c.ts, tool: 'qwen', source: 'transcript', host, sessionId: c.session, project: c.project,
    model: c.model, speed: 'standard', reportedCost: null,
    dedupKey: `qwen:${c.session}:${c.model}:${c.durationMs}:${c.prompt}:${c.cached}:${c.output}`,
    requestId: null, isSidechain: false, input, cacheRead, cacheWrite5m: 0, cacheWrite1h: 0, output, reasoning: Math.min(c.thoughts, output),
  };
}

/** One line of either file, its error said with the field's path. */
function readLine(text: string, ctx: FileContext, pick: (o: Record<string, unknown>) => Call | null | string, emit: (e: UsageEvent) => void): string | undefined {
  const o = jsonObjectLine(text);
  if (typeof o === 'string') return o;
  try {
    const call = pick(o);
    if (typeof call === 'string') return call;
    if (call && call.prompt + call.output + call.thoughts > 0) emit(callEvent(call, ctx.host));
    return undefined;
  } catch (e) {
    if (e instanceof FormatError) return e.message;
    throw e;
  }
}

const stateless = (line: FileParser['line']): FileParser => ({ line, state: () => null });

/** `usage/token-usage-YYYY-MM.jsonl`: one line per response. */
export const qwenUsageFormat: FileFormat = {
  // The end of "inputTokens", from its rare capital (see FileFormat.markers).
  markers: [Buffer.from('Tokens"')],
  wholeFile: false,
  parser: (ctx) => stateless((text, emit) => readLine(text, ctx, (o) => {
    const ts = timeOf(o.timestamp);
    if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
    return {
      ts, session: nonEmpty(o.sessionId) ?? ctx.sessionFallback, project: '', model: nonEmpty(o.model) ?? 'unknown',
      prompt: count(o, 'inputTokens', ''), cached: count(o, 'cachedTokens', ''), output: count(o, 'outputTokens', ''),
      thoughts: count(o, 'thoughtsTokens', ''), total: count(o, 'totalTokens', ''), durationMs: count(o, 'apiDurationMs', ''),
    };
  }, emit)),
};

/** `projects/<project>/chats/<session>.jsonl`: the `ui_telemetry` lines of api_response events. */
export const qwenChatFormat: FileFormat = {
  markers: [Buffer.from('qwen-code.api_response')],
  wholeFile: false,
  parser: (ctx) => stateless((text, emit) => readLine(text, ctx, (o) => {
    const ev = isObject(o.systemPayload) ? o.systemPayload.uiEvent : undefined;
    if (o.subtype !== 'ui_telemetry' || !isObject(ev) || ev['event.name'] !== 'qwen-code.api_response') return null;
    const ts = timeOf(ev['event.timestamp'] ?? o.timestamp);
    if (!Number.isFinite(ts)) return `systemPayload.uiEvent.event.timestamp is ${quoteValue(ev['event.timestamp'])}, expected an ISO-8601 time`;
    const at = 'systemPayload.uiEvent';
    return {
      ts, session: nonEmpty(o.sessionId) ?? ctx.sessionFallback, project: nonEmpty(o.cwd) ?? ctx.projectFallback,
      model: nonEmpty(ev.model) ?? nonEmpty(o.model) ?? 'unknown',
      prompt: count(ev, 'input_token_count', at), cached: count(ev, 'cached_content_token_count', at), output: count(ev, 'output_token_count', at),
      thoughts: count(ev, 'thoughts_token_count', at), total: count(ev, 'total_token_count', at), durationMs: count(ev, 'duration_ms', at),
    };
  }, emit)),
};
