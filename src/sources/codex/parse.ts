// Codex CLI rollouts (`RolloutLine {timestamp, type, payload}`, ../shared/reference/formats.md §5) → usage events.
// Usage comes from `event_msg` / `token_count`: `last_token_usage` when present, else the difference of successive
// `total_token_usage`. A total that did not change is a repeat; one that went down starts a new series. OpenAI counts
// cached input inside input and reasoning inside output: both are split out once. The model is the latest
// `turn_context`'s; before any, a documented fallback, flagged.
import { splitCachedInput, type UsageEvent } from '../../core/event.js';
import { count, FormatError, isObject, jsonError, type FileContext, type FileFormat, type FileParser, type WindowReading } from '../file-format.js';
import { quoteValue } from '../../core/text.js';

/** What Codex sessions without a turn_context are priced as (ccusage does the same), flagged `modelFallback`. */
export const CODEX_FALLBACK_MODEL = 'gpt-5';

interface Totals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  total: number;
}

interface CodexState {
  session: string | null;
  cwd: string | null;
  model: string | null;
  last: Totals | null;
  /** Incremented when a total goes down: keys stay unique across series. */
  series: number;
}

function totalsOf(u: unknown, path: string): Totals | null {
  if (!isObject(u)) return null;
  const input = count(u, 'input_tokens', path);
  const output = count(u, 'output_tokens', path);
  return {
    input, output,
    cached: count(u, 'cached_input_tokens', path),
    reasoning: count(u, 'reasoning_output_tokens', path),
    total: u.total_tokens === undefined ? input + output : count(u, 'total_tokens', path),
  };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

class CodexParser implements FileParser {
  private s: CodexState;

  constructor(private readonly ctx: FileContext, state: string | null) {
    this.s = state ? (JSON.parse(state) as CodexState) : { session: null, cwd: null, model: null, last: null, series: 0 };
  }

  state(): string {
    return JSON.stringify(this.s);
  }

  line(text: string, emit: (e: UsageEvent) => void, reading: (r: WindowReading) => void): string | undefined {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      return jsonError(e);
    }
    if (!isObject(o) || !isObject(o.payload)) return 'line is not a rollout record (no payload object)';
    const p = o.payload;
    try {
      if (o.type === 'session_meta') {
        this.s.session = str(p.id) ?? str(p.session_id) ?? this.s.session;
        this.s.cwd = str(p.cwd) ?? this.s.cwd;
        return undefined;
      }
      if (o.type === 'turn_context') {
        this.s.model = str(p.model) ?? this.s.model;
        this.s.cwd = str(p.cwd) ?? this.s.cwd;
        return undefined;
      }
      if (o.type !== 'event_msg' || p.type !== 'token_count') return undefined;
      const ts = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : NaN;
      if (!Number.isFinite(ts)) return `timestamp is ${quoteValue(o.timestamp)}, expected an ISO-8601 time`;
      if (isObject(p.rate_limits)) this.readings(p.rate_limits, ts, reading);
      if (!isObject(p.info)) return undefined; // a token_count with rate limits only
      const total = totalsOf(p.info.total_token_usage, 'payload.info.total_token_usage');
      const lastUsage = totalsOf(p.info.last_token_usage, 'payload.info.last_token_usage');
      if (!total && !lastUsage) return 'token_count without total_token_usage or last_token_usage';
      let delta: Totals | null = lastUsage;
      if (total) {
        const prev = this.s.last;
        if (prev && total.total === prev.total) return undefined; // the same event again
        if (prev && total.total < prev.total) this.s.series++; // a new series (a restarted or compacted session)
        if (!delta) {
          const from = prev && total.total >= prev.total ? prev : null;
          delta = from
            ? { input: total.input - from.input, cached: total.cached - from.cached, output: total.output - from.output, reasoning: total.reasoning - from.reasoning, total: total.total - from.total }
            : total;
        }
        this.s.last = total;
      }
      if (!delta || delta.total <= 0 && delta.input + delta.output === 0) return undefined;
      const { input, cacheRead } = splitCachedInput(Math.max(delta.input, 0), Math.max(delta.cached, 0));
      const output = Math.max(delta.output, 0);
      const session = this.s.session ?? this.ctx.sessionFallback;
      const ev: UsageEvent = {
        ts, tool: 'codex', source: 'transcript', host: this.ctx.host, sessionId: session,
        project: this.s.cwd ?? this.ctx.projectFallback, model: this.s.model ?? CODEX_FALLBACK_MODEL,
        speed: 'standard', reportedCost: null,
        // The running total names the request within its series: a re-read or a repeated event gets the same key.
        dedupKey: `codex:${session}:${this.s.series}:${total ? total.total : `${this.ctx.fileKey}:${ts}`}`,
        requestId: null, isSidechain: false, input, cacheRead, output, cacheWrite5m: 0, cacheWrite1h: 0,
        reasoning: Math.min(Math.max(delta.reasoning, 0), output),
      };
      if (!this.s.model) ev.modelFallback = true;
      emit(ev);
      return undefined;
    } catch (e) {
      if (e instanceof FormatError) return e.message;
      throw e;
    }
  }

  private readings(r: Record<string, unknown>, ts: number, reading: (r: WindowReading) => void): void {
    for (const key of ['primary', 'secondary']) {
      const w = r[key];
      if (!isObject(w) || typeof w.used_percent !== 'number') continue;
      const minutes = typeof w.window_minutes === 'number' ? w.window_minutes : key === 'primary' ? 300 : 10080;
      const window = minutes <= 300 ? '5h' : '7d';
      const resetsAt = typeof w.resets_at === 'number' ? w.resets_at * 1000
        : typeof w.resets_in_seconds === 'number' ? ts + w.resets_in_seconds * 1000 : ts + minutes * 60_000;
      reading({ tool: 'codex', window, at: ts, usedPercent: w.used_percent, resetsAt });
    }
  }
}

export const codexFormat: FileFormat = {
  // The ends of "token_count", "turn_context" and "session_meta", from their rare underscore (see FileFormat.markers).
  markers: [Buffer.from('_count"'), Buffer.from('_context"'), Buffer.from('_meta"')],
  wholeFile: false,
  parser: (ctx, state) => new CodexParser(ctx, state),
};
