// pi session files (../shared/reference/agents.md §3): append-only JSONL v3. A `session` header names the session
// and its cwd; each assistant `message` entry carries that call's `usage {input, output, cacheRead, cacheWrite,
// totalTokens, cost.total}` and the provider's `responseId`. `input` excludes cache; `output` includes reasoning,
// which pi does not report apart. Forks copy entries into a new file with the same response ids: keyed by
// responseId, a fork counts nothing twice (nor does the same call seen by the proxy).
import type { UsageEvent } from '../../core/event.js';
import { quoteValue } from '../../core/text.js';
import { count, FormatError, isObject, jsonObjectLine, nonEmpty, recordedCost, timeOf, type FileContext, type FileFormat, type FileParser } from '../file-format.js';

interface PiState {
  session: string | null;
  cwd: string | null;
}

class PiParser implements FileParser {
  private s: PiState;

  constructor(private readonly ctx: FileContext, state: string | null) {
    this.s = state ? (JSON.parse(state) as PiState) : { session: null, cwd: null };
  }

  state(): string {
    return JSON.stringify(this.s);
  }

  line(text: string, emit: (e: UsageEvent) => void): string | undefined {
    const o = jsonObjectLine(text);
    if (typeof o === 'string') return o;
    if (o.type === 'session') {
      this.s.session = nonEmpty(o.id) ?? this.s.session;
      this.s.cwd = nonEmpty(o.cwd) ?? this.s.cwd;
      return undefined;
    }
    const m = o.message;
    if (o.type !== 'message' || !isObject(m) || m.role !== 'assistant') return undefined;
    if (!isObject(m.usage)) return 'assistant message without usage';
    try {
      const u = m.usage;
      const ts = timeOf(m.timestamp ?? o.timestamp);
      if (!Number.isFinite(ts)) return `message.timestamp is ${quoteValue(m.timestamp ?? o.timestamp)}, expected a time`;
      const counts = {
        input: count(u, 'input', 'message.usage'), output: count(u, 'output', 'message.usage'),
        cacheRead: count(u, 'cacheRead', 'message.usage'), cacheWrite5m: count(u, 'cacheWrite', 'message.usage'),
      };
      // An aborted or failed call that got no usage back: nothing was billed.
      if (counts.input + counts.output + counts.cacheRead + counts.cacheWrite5m === 0) return undefined;
      const responseId = nonEmpty(m.responseId);
      // Without a response id, the entry's id and time: the same in a fork's copy, unlike the session.
      const dedupKey = responseId ?? `pi:${nonEmpty(o.id) ?? this.ctx.fileKey}:${ts}`;
      emit({
        input: counts.input, output: counts.output, cacheRead: counts.cacheRead, cacheWrite5m: counts.cacheWrite5m,
        cacheWrite1h: 0, reasoning: 0, ts, tool: 'pi', source: 'transcript', host: this.ctx.host,
        sessionId: this.s.session ?? this.ctx.sessionFallback, project: this.s.cwd ?? this.ctx.projectFallback,
        model: nonEmpty(m.model) ?? 'unknown', speed: 'standard',
        reportedCost: isObject(u.cost) ? recordedCost(u.cost.total) : null,
        dedupKey, requestId: null, isSidechain: false,
      });
      return undefined;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }
}

export const piFormat: FileFormat = {
  markers: [Buffer.from('"usage"'), Buffer.from('"session"')],
  wholeFile: false,
  parser: (ctx, state) => new PiParser(ctx, state),
};
