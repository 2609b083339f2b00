// Cline's two record formats, both JSON documents rewritten whole.
//
// Cline CLI 3.x `<id>.messages.json`: each assistant message is one call with `metrics`, whose `inputTokens` includes
// cache reads and writes (split out here) and whose `outputTokens` includes reasoning (not told apart). The session
// file's `usage`/`aggregateUsage` and the log's `task.tokens` events are the same calls again: never read.
//
// Task files `ui_messages.json` (the VS Code extensions Cline, Roo Code and Kilo Code, and Cline CLI 2.x): each
// `api_req_started` message's `text` is JSON with the request's `tokensIn`, `tokensOut`, `cacheReads`, `cacheWrites`
// and `cost`. `tokensIn` includes the cache for OpenAI-style providers and excludes it for Anthropic-style ones.
// For Anthropic, Cline adds `message_start`'s output count to the deltas' (one token high per request, as the
// stand-in showed): what it recorded is kept, and its cost follows it.
import type { UsageEvent } from '../../core/event.js';
import { count, FormatError, guardRecord, isObject, jsonDocumentFormat, jsonError, nonEmpty, recordedCost, timeOf, type FileContext } from '../file-format.js';

const event = (ctx: FileContext, fields: Pick<UsageEvent, 'ts' | 'sessionId' | 'model' | 'dedupKey' | 'reportedCost' | 'input' | 'cacheRead' | 'cacheWrite5m' | 'output'>): UsageEvent => ({
  tool: 'cline', source: 'transcript', host: ctx.host, project: ctx.projectFallback, speed: 'standard',
  requestId: null, isSidechain: false, reasoning: 0, cacheWrite1h: 0, ts: fields.ts, sessionId: fields.sessionId, model: fields.model,
  dedupKey: fields.dedupKey, reportedCost: fields.reportedCost, input: fields.input, cacheRead: fields.cacheRead,
  cacheWrite5m: fields.cacheWrite5m, output: fields.output,
});

/** Input without the cache, where the record's input includes it; an input below the cache cannot include it. */
function uncached(input: number, read: number, write: number, includesCache: boolean): number {
  return includesCache && input >= read + write ? input - read - write : input;
}

export const clineSessionFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!isObject(doc) || !Array.isArray(doc.messages)) return 'not a Cline session (no messages array)';
  const session = nonEmpty(doc.sessionId) ?? ctx.sessionFallback;
  doc.messages.forEach((m, i) => {
    if (!isObject(m) || m.role !== 'assistant' || !isObject(m.metrics)) return;
    const metrics = m.metrics;
    guardRecord(problem, `messages[${i}]`, () => {
      const read = count(metrics, 'cacheReadTokens', 'metrics');
      const write = count(metrics, 'cacheWriteTokens', 'metrics');
      const ts = timeOf(m.ts);
      if (!Number.isFinite(ts)) throw new FormatError('ts is not a time');
      emit(event(ctx, {
        ts, sessionId: session, model: (isObject(m.modelInfo) ? nonEmpty(m.modelInfo.id) : null) ?? 'unknown',
        dedupKey: `cline:${session}:${nonEmpty(m.id) ?? i}`, reportedCost: recordedCost(metrics.cost),
        input: uncached(count(metrics, 'inputTokens', 'metrics'), read, write, true), cacheRead: read, cacheWrite5m: write,
        output: count(metrics, 'outputTokens', 'metrics'),
      }));
    });
  });
  return undefined;
}, ['content', 'text', 'system_prompt']); // text never read: cut before the document is decoded

/** Providers whose handlers report input without the cache (Anthropic's usage shape). */
const ANTHROPIC_STYLE = new Set(['anthropic', 'bedrock', 'vertex', 'claude-code', 'minimax']);

/** The messages that carry a request's usage in their text; the others' texts are prose. */
const USAGE_MESSAGES = new Set(['api_req_started', 'deleted_api_reqs', 'subagent_usage']);

const hasTokens = (o: Record<string, unknown>) => ['tokensIn', 'tokensOut', 'cacheReads', 'cacheWrites'].some((k) => o[k] !== undefined && o[k] !== null);

function usageText(m: Record<string, unknown>): Record<string, unknown> | string {
  if (typeof m.text !== 'string') return {};
  try {
    const o: unknown = JSON.parse(m.text);
    return isObject(o) ? o : 'text is not a JSON object';
  } catch (e) {
    return `text: ${jsonError(e)}`;
  }
}

export const clineTaskFormat = jsonDocumentFormat((doc, ctx, emit, problem) => {
  if (!Array.isArray(doc)) return 'not a Cline task (expected an array of messages)';
  let model: string | null = null;
  let provider: string | null = null;
  doc.forEach((m, i) => {
    if (!isObject(m)) return;
    if (isObject(m.modelInfo)) {
      model = nonEmpty(m.modelInfo.modelId) ?? model;
      provider = nonEmpty(m.modelInfo.providerId) ?? provider;
    }
    if (m.type !== 'say' || !USAGE_MESSAGES.has(String(m.say))) return;
    let info = usageText(m);
    if (typeof info === 'string') return problem(`messages[${i}] (${String(m.say)}): ${info}`);
    // Old versions put the usage in an api_req_finished message after the start.
    if (m.say === 'api_req_started' && !hasTokens(info)) {
      const next = doc.slice(i + 1).find((n) => isObject(n) && (n.say === 'api_req_finished' || n.say === 'api_req_started')) as Record<string, unknown> | undefined;
      const finished = next?.say === 'api_req_finished' ? usageText(next) : null;
      if (!finished || typeof finished === 'string' || !hasTokens(finished)) return; // still in flight, or cancelled
      info = finished;
    }
    if (!hasTokens(info)) return;
    const u = info;
    guardRecord(problem, `messages[${i}] (${String(m.say)})`, () => {
      const read = count(u, 'cacheReads', 'text');
      const write = count(u, 'cacheWrites', 'text');
      const protocol = nonEmpty(u.apiProtocol);
      const includesCache = protocol ? protocol !== 'anthropic' : !ANTHROPIC_STYLE.has(provider ?? '');
      const ts = timeOf(m.ts);
      if (!Number.isFinite(ts)) throw new FormatError('ts is not a time');
      emit(event(ctx, {
        ts, sessionId: ctx.sessionFallback, model: model ?? 'unknown', dedupKey: `cline-task:${ctx.sessionFallback}:${ts}`,
        reportedCost: recordedCost(u.cost), input: uncached(count(u, 'tokensIn', 'text'), read, write, includesCache),
        cacheRead: read, cacheWrite5m: write, output: count(u, 'tokensOut', 'text'),
      }));
    });
  });
  return undefined;
});
