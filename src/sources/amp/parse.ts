// Amp's legacy thread files (`T-<uuid>.json`, written by older Amp CLIs and the Amp VS Code extension; newer CLIs
// keep threads on Amp's server). A thread's assistant messages carry `usage` (`inputTokens` uncached, cache reads and
// writes apart; no reasoning figure), and its `usageLedger.events` are the same calls again (input and output, the
// credits, and `toMessageId`). Each call is counted once: from the ledger's inference events where there is a ledger
// (as ccusage does, with the cache figures of the message each produced), keyed by the event; else from the messages,
// keyed by the message. Ledger events for tool use (a sub-agent, whose thread has its own file) are not counted.
// Format read from Amp's bundled code and ccusage's loader; never run against a stand-in (see the README).
import type { UsageEvent } from '../../core/event.js';
import { count, FormatError, guardRecord, isObject, jsonDocumentFormat, nonEmpty, timeOf } from '../file-format.js';

/** The thread's first workspace folder (`file:///path`), as a path. */
function projectOf(thread: Record<string, unknown>): string | null {
  const initial = isObject(thread.env) && isObject(thread.env.initial) ? thread.env.initial : null;
  const tree = initial && Array.isArray(initial.trees) ? initial.trees.find(isObject) : undefined;
  const uri = nonEmpty(tree?.uri);
  if (!uri) return null;
  try {
    return uri.startsWith('file:') ? decodeURIComponent(new URL(uri).pathname) : uri;
  } catch {
    return uri;
  }
}

/** Amp's own billing credits (kept beside the tokens; not USD); 0 is what messages write when the ledger has them. */
const creditsOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

const messageKey = (id: unknown): string | null => (typeof id === 'number' || (typeof id === 'string' && id) ? String(id) : null);

export const ampThreadFormat = jsonDocumentFormat((t, ctx, emit, problem) => {
  if (!isObject(t)) return 'not an Amp thread';
  const thread = nonEmpty(t.id) ?? ctx.sessionFallback;
  const project = projectOf(t) ?? ctx.projectFallback;
  // A literal with every field: spreading a shared base into each event cost more than parsing the thread.
  const event = (ts: number, model: string, counts: Pick<UsageEvent, 'input' | 'output' | 'cacheRead' | 'cacheWrite5m'>, dedupKey: string, credits: number | null): UsageEvent => ({
    ts, tool: 'amp', source: 'transcript', host: ctx.host, sessionId: thread, project, model, speed: 'standard', reportedCost: null,
    requestId: null, isSidechain: false, input: counts.input, output: counts.output, cacheRead: counts.cacheRead,
    cacheWrite5m: counts.cacheWrite5m, cacheWrite1h: 0, reasoning: 0, dedupKey, credits,
  });
  const created = typeof t.created === 'number' ? t.created : NaN;
  const messages = Array.isArray(t.messages) ? t.messages.filter(isObject) : [];
  const usageOf = new Map(messages.filter((m) => isObject(m.usage)).map((m) => [messageKey(m.messageId), m.usage as Record<string, unknown>]));
  const guarded = (where: string, f: () => UsageEvent | null) => guardRecord(problem, where, () => {
    const e = f();
    if (e && e.input + e.output + e.cacheRead + e.cacheWrite5m > 0) emit(e);
  });
  const ledger = isObject(t.usageLedger) && Array.isArray(t.usageLedger.events) ? t.usageLedger.events : null;
  if (ledger) {
    ledger.forEach((ev, i) => guarded(`usageLedger.events[${i}]`, () => {
      // Tool usage (a sub-agent's thread, which has its own file) is not an inference call of this thread.
      if (!isObject(ev) || !isObject(ev.tokens) || (ev.operationType !== undefined && ev.operationType !== 'inference')) return null;
      const cache = usageOf.get(messageKey(ev.toMessageId)) ?? {};
      const ts = timeOf(ev.timestamp);
      if (!Number.isFinite(ts)) throw new FormatError('timestamp is not a time');
      return event(ts, nonEmpty(ev.model) ?? 'unknown', {
        input: count(ev.tokens, 'input', 'tokens'), output: count(ev.tokens, 'output', 'tokens'),
        cacheRead: count(cache, 'cacheReadInputTokens', 'usage'), cacheWrite5m: count(cache, 'cacheCreationInputTokens', 'usage'),
      }, `amp:${thread}:ledger:${nonEmpty(ev.id) ?? i}`, creditsOf(ev.credits));
    }));
    return undefined;
  }
  messages.forEach((m, i) => guarded(`messages[${i}]`, () => {
    if (m.role !== 'assistant' || !isObject(m.usage)) return null;
    const u = m.usage;
    const ts = timeOf(u.timestamp ?? m.timestamp ?? created);
    if (!Number.isFinite(ts)) throw new FormatError('usage.timestamp is not a time');
    return event(ts, nonEmpty(u.model) ?? nonEmpty(m.model) ?? 'unknown', {
      input: count(u, 'inputTokens', 'usage'), output: count(u, 'outputTokens', 'usage'),
      cacheRead: count(u, 'cacheReadInputTokens', 'usage'), cacheWrite5m: count(u, 'cacheCreationInputTokens', 'usage'),
    }, `amp:${thread}:${messageKey(m.messageId) ?? `message:${i}`}`, creditsOf(u.credits));
  }));
  return undefined;
}, ['text']); // text never read: cut before the document is decoded
