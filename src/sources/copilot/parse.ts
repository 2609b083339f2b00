// GitHub Copilot CLI session events (../shared/reference/agents.md §7): `session-state/<session>/events.jsonl`,
// append-only `{type, data, id, timestamp}`. Each model call is one `session.usage_record` whose `data.usage` has
// `inputTokens` (uncached + cache read + cache write), `outputTokens` (reasoning included, `reasoningTokens` apart),
// `apiCallId` (the provider's response id: the same key as the proxy's and as OTel's gen_ai.response.id) and, for
// Anthropic, `providerCallId` (its request id). `session.shutdown` repeats session totals: never counted. Its
// `cost` is in premium requests, not USD, so it is not kept as a cost.
import type { UsageEvent } from '../../core/event.js';
import { quoteValue } from '../../core/text.js';
import { count, FormatError, isObject, jsonObjectLine, nonEmpty, timeOf, type FileContext, type FileFormat, type FileParser } from '../file-format.js';

interface CopilotState {
  session: string | null;
  cwd: string | null;
}

class CopilotParser implements FileParser {
  private s: CopilotState;

  constructor(private readonly ctx: FileContext, state: string | null) {
    this.s = state ? (JSON.parse(state) as CopilotState) : { session: null, cwd: null };
  }

  state(): string {
    return JSON.stringify(this.s);
  }

  line(text: string, emit: (e: UsageEvent) => void): string | undefined {
    const o = jsonObjectLine(text);
    if (typeof o === 'string') return o;
    const d = o.data;
    if (!isObject(d)) return undefined;
    if (o.type === 'session.start' || o.type === 'session.resume') {
      this.s.session = nonEmpty(d.sessionId) ?? this.s.session;
      this.s.cwd = (isObject(d.context) ? nonEmpty(d.context.cwd) : null) ?? this.s.cwd;
      return undefined;
    }
    if (o.type !== 'session.usage_record') return undefined;
    const u = d.usage;
    if (!isObject(u)) return 'session.usage_record without data.usage';
    try {
      const ts = timeOf(o.timestamp);
      if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
      const at = 'data.usage';
      const prompt = count(u, 'inputTokens', at);
      const cacheRead = count(u, 'cacheReadTokens', at);
      const cacheWrite = count(u, 'cacheWriteTokens', at);
      const output = count(u, 'outputTokens', at);
      if (prompt + output === 0) return undefined;
      const session = this.s.session ?? this.ctx.sessionFallback;
      const apiCallId = nonEmpty(u.apiCallId);
      emit({
        ts, tool: 'copilot', source: 'transcript', host: this.ctx.host, sessionId: session,
        project: this.s.cwd ?? this.ctx.projectFallback, model: nonEmpty(u.model) ?? 'unknown', speed: 'standard', reportedCost: null,
        dedupKey: apiCallId ?? `copilot:${session}:${nonEmpty(o.id) ?? ts}`, requestId: nonEmpty(u.providerCallId), isSidechain: false,
        input: Math.max(prompt - cacheRead - cacheWrite, 0), cacheRead, cacheWrite5m: cacheWrite, cacheWrite1h: 0, output,
        reasoning: Math.min(count(u, 'reasoningTokens', at), output),
      });
      return undefined;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
}

export const copilotFormat: FileFormat = {
  // The ends of "session.usage_record", "session.start" and "session.resume", from a rare character (see
  // FileFormat.markers), with their closing quote so that code in a message (server.start()) is no candidate; but
  // `.resume"` is 8 bytes, where the search changes to one that a quote at the end slows tenfold: it goes without.
  markers: [Buffer.from('_record"'), Buffer.from('.start"'), Buffer.from('.resume')],
  wholeFile: false,
  parser: (ctx, state) => new CopilotParser(ctx, state),
};
