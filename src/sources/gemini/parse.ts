// Gemini CLI chat recordings (../shared/reference/formats.md §6) → usage events. JSONL files append a metadata line,
// message records, `$set` metadata updates and `$rewindTo` records; the same message id may be appended again with
// its tokens filled in, so each message is keyed by session and id and the fuller copy wins. Legacy `.json` files
// hold one ConversationRecord and are read whole. `input` includes `cached`; `thoughts` are billed as output and
// shown as reasoning; tool-use prompt tokens are input.
import { splitCachedInput, type UsageEvent } from '../../core/event.js';
import { count, FormatError, isObject, jsonError, type FileContext, type FileFormat, type FileParser } from '../file-format.js';
import { quoteValue } from '../../core/text.js';

interface GeminiState {
  session: string | null;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

function messageEvent(m: Record<string, unknown>, session: string, ctx: FileContext): UsageEvent | string | null {
  if (m.type !== 'gemini' || !isObject(m.tokens)) return null; // user turns, info lines, a message before its tokens
  const t = m.tokens;
  const id = str(m.id);
  if (!id) return 'gemini message without an id';
  const ts = typeof m.timestamp === 'string' ? Date.parse(m.timestamp) : NaN;
  if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(m.timestamp)}, expected an ISO-8601 time`;
  const { input, cacheRead } = splitCachedInput(count(t, 'input', 'tokens'), count(t, 'cached', 'tokens'));
  const reasoning = count(t, 'thoughts', 'tokens');
  return {
    ts, tool: 'gemini', source: 'transcript', host: ctx.host, sessionId: session, project: ctx.projectFallback,
    model: str(m.model) ?? 'unknown', speed: 'standard', reportedCost: null,
    dedupKey: `gemini:${session}:${id}`, requestId: null, isSidechain: false,
    input: input + count(t, 'tool', 'tokens'), cacheRead, cacheWrite5m: 0, cacheWrite1h: 0, output: count(t, 'output', 'tokens') + reasoning, reasoning,
  };
}

class GeminiParser implements FileParser {
  private s: GeminiState;

  constructor(private readonly ctx: FileContext, state: string | null) {
    this.s = state ? (JSON.parse(state) as GeminiState) : { session: null };
  }

  state(): string {
    return JSON.stringify(this.s);
  }

  line(text: string, emit: (e: UsageEvent) => void): string | undefined {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject(o)) return 'line is not a JSON object';
    // Rewinds drop messages from the conversation, not from the bill: tokens already spent stay counted.
    if ('$rewindTo' in o) return undefined;
    if (isObject(o.$set)) {
      this.s.session = str(o.$set.sessionId) ?? this.s.session;
      return undefined;
    }
    if (o.type === undefined && str(o.sessionId)) {
      this.s.session = str(o.sessionId); // the metadata line
      return undefined;
    }
    try {
      const ev = messageEvent(o, this.s.session ?? this.ctx.sessionFallback, this.ctx);
      if (typeof ev === 'string') return ev;
      if (ev) emit(ev);
      return undefined;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }

  /** A legacy ConversationRecord: `{sessionId, messages: [...]}`. */
  whole(text: string, emit: (e: UsageEvent) => void): string | undefined {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject(o) || !Array.isArray(o.messages)) return 'not a Gemini CLI conversation record (no messages list)';
    const session = str(o.sessionId) ?? this.ctx.sessionFallback;
    const problems: string[] = [];
    for (const m of o.messages) {
      if (!isObject(m)) continue;
      try {
        const ev = messageEvent(m, session, this.ctx);
        if (typeof ev === 'string') problems.push(ev);
        else if (ev) emit(ev);
      } catch (e) {
        if (e instanceof FormatError) problems.push(e.message);
        else throw e;
      }
    }
    return problems.length ? `${problems.length} message(s) skipped: ${problems[0]}` : undefined;
  }
}

export const geminiFormat: FileFormat = {
  // The ends of "tokens" and "sessionId", from a rare letter (see FileFormat.markers).
  markers: [Buffer.from('kens"'), Buffer.from('Id"')],
  wholeFile: false,
  parser: (ctx, state) => new GeminiParser(ctx, state),
};

export const geminiJsonFormat: FileFormat = { ...geminiFormat, wholeFile: true };
