// Claude Code transcript lines → usage events. See ../shared/reference/formats.md §1.
// Claude Code writes one line per content block, each repeating the message's id, request id and usage; the store
// collapses those copies by dedup key. Only `assistant` lines with a top-level `message.usage` object count:
// `progress` lines nest a subagent's usage that its own file already carries.
import type { UsageEvent } from '../../core/event.js';
import { fromLatin1, HIGH } from '../latin1.js';
import { quoteValue } from '../../core/text.js';
import { isObject, jsonError } from '../file-format.js';

/** Bytes every line that can carry usage contains; lines without it are never decoded. */
export const USAGE_MARKER = Buffer.from('"usage"');

export interface FileContext {
  host: string;
  /** Session id to use when a line has none: the file's name without extension. */
  sessionFallback: string;
  /** Project to use when a line has no `cwd`: the folder name under `projects/`. */
  projectFallback: string;
  /** Stable identity of the file, for events that cannot be deduplicated across files. */
  fileKey: string;
}

export type LineOutcome =
  | { kind: 'event'; event: UsageEvent }
  | { kind: 'skip'; reason: 'synthetic' | 'progress' | 'other-type' }
  | { kind: 'error'; message: string };

class FieldError extends Error {}

function tokenField(usage: Record<string, unknown>, name: string, path = 'message.usage'): number {
  const v = usage[name];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new FieldError(`${path}.${name} is ${quoteValue(v)}, expected a non-negative number`);
  }
  return Math.round(v);
}

/**
 * One transcript line to an event, a skip or an error. `latin1`: the line's UTF-8 bytes were read one character per
 * byte (the scanner's cheap mode). JSON's structure is all ASCII, so the line parses the same; when a value kept has
 * non-ASCII characters, the line is decoded as UTF-8 and parsed again, which keeps \u escapes and raw bytes exact.
 */
export function parseTranscriptLine(text: string, ctx: FileContext, offset: number, latin1 = false): LineOutcome {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { kind: 'error', message: jsonError(e) };
  }
  return transcriptOutcome(obj, ctx, offset, latin1 ? () => parseTranscriptLine(fromLatin1(text), ctx, offset, false) : null);
}

const MESSAGE_KEY = Buffer.from('"message":{');
const CONTENT_KEY = Buffer.from('"content":');
const STOP_REASON_KEY = Buffer.from(',"stop_reason":');
/** How far before the usage key the message's stop_reason may start (`"stop_reason":"end_turn","stop_sequence":null,`). */
const STOP_REASON_REACH = 256;

/**
 * One transcript line given as its UTF-8 bytes `buf[start, end)`, `hit` being where its first `"usage"` starts.
 * The message's content, the bulk of a line, is neither decoded nor parsed: the line is read with the content cut out
 * (from the message's `"content":` up to the `"stop_reason"` that precedes its usage). A cut in the wrong place
 * leaves brackets unbalanced and the text no longer parses: then, and for any line of another shape, the whole line
 * is read, so the outcome is always the one parseTranscriptLine gives for the whole line.
 */
export function parseTranscriptBytes(buf: Buffer, start: number, end: number, hit: number, ctx: FileContext, offset: number): LineOutcome {
  const whole = () => parseTranscriptLine(buf.toString('latin1', start, end), ctx, offset, true);
  const head = buf.subarray(start, hit);
  const m = head.indexOf(MESSAGE_KEY);
  const c = m < 0 ? -1 : head.indexOf(CONTENT_KEY, m + MESSAGE_KEY.length);
  // Searched backward from the usage key over a short reach only, so a line of another shape costs no extra pass.
  const reach = Math.min(STOP_REASON_REACH, head.length);
  const near = c < 0 ? -1 : head.subarray(head.length - reach).lastIndexOf(STOP_REASON_KEY);
  const s = near < 0 ? -1 : head.length - reach + near;
  if (s <= c) return whole();
  let obj: unknown;
  try {
    obj = JSON.parse(`${buf.toString('latin1', start, start + c + CONTENT_KEY.length)}[]${buf.toString('latin1', start + s, end)}`);
  } catch {
    return whole();
  }
  const message = isObject(obj) ? obj.message : undefined;
  if (!isObject(message) || !Array.isArray(message.content) || message.content.length !== 0 || !('stop_reason' in message)) return whole();
  return transcriptOutcome(obj, ctx, offset, whole);
}

/** An event from a parsed line; `utf8Again` reads the line again when a kept value was read as latin1 and is not ASCII. */
function transcriptOutcome(obj: unknown, ctx: FileContext, offset: number, utf8Again: (() => LineOutcome) | null): LineOutcome {
  if (!isObject(obj)) return { kind: 'error', message: 'line is not a JSON object' };
  if (obj.type === 'progress') return { kind: 'skip', reason: 'progress' };
  if (obj.type !== 'assistant') return { kind: 'skip', reason: 'other-type' };
  const message = obj.message;
  if (!isObject(message)) return { kind: 'error', message: 'assistant line without a message object' };
  const usage = message.usage;
  if (usage === undefined || usage === null) return { kind: 'skip', reason: 'other-type' };
  if (!isObject(usage)) return { kind: 'error', message: `message.usage is ${quoteValue(usage)}, expected an object` };
  const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  const model = str(message.model) ?? '';
  if (utf8Again && [model, obj.cwd, obj.sessionId, message.id, obj.requestId].some((v) => typeof v === 'string' && HIGH.test(v))) {
    return utf8Again();
  }
  if (model === '<synthetic>') return { kind: 'skip', reason: 'synthetic' };

  const ts = typeof obj.timestamp === 'string' ? Date.parse(obj.timestamp) : NaN;
  if (!Number.isFinite(ts)) return { kind: 'error', message: `timestamp is ${quoteValue(obj.timestamp)}, expected an ISO-8601 time` };

  try {
    const input = tokenField(usage, 'input_tokens');
    const output = tokenField(usage, 'output_tokens');
    const cacheRead = tokenField(usage, 'cache_read_input_tokens');
    let cacheWrite5m: number;
    let cacheWrite1h: number;
    const split = usage.cache_creation;
    if (isObject(split)) {
      // The split, when present, is authoritative (ccusage does the same).
      cacheWrite5m = tokenField(split, 'ephemeral_5m_input_tokens', 'message.usage.cache_creation');
      cacheWrite1h = tokenField(split, 'ephemeral_1h_input_tokens', 'message.usage.cache_creation');
      if (cacheWrite5m + cacheWrite1h === 0) cacheWrite5m = tokenField(usage, 'cache_creation_input_tokens');
    } else {
      cacheWrite5m = tokenField(usage, 'cache_creation_input_tokens');
      cacheWrite1h = 0;
    }
    // Thinking tokens are a part of output_tokens, reported apart by newer versions.
    const details = usage.output_tokens_details;
    const reasoning = isObject(details) ? Math.min(tokenField(details, 'thinking_tokens', 'message.usage.output_tokens_details'), output) : 0;
    if (!model) {
      if (input + output + cacheRead + cacheWrite5m + cacheWrite1h === 0) return { kind: 'skip', reason: 'synthetic' };
      return { kind: 'error', message: 'message.model is missing' };
    }

    const messageId = str(message.id);
    // The message id alone names a response: Claude Code 1.0 copies earlier messages into a continued session
    // without their requestId, and a sidechain replays a message under another request id; either copy is the same
    // response. No message id: never deduplicated (as ccusage does); the file and byte offset keep re-reads idempotent.
    const dedupKey = messageId ?? `line:${ctx.fileKey}:${offset}`;
    const cost = obj.costUSD;
    const reportedCost = typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : null;

    const event: UsageEvent = {
      ts,
      tool: 'claude-code',
      source: 'transcript',
      host: ctx.host,
      sessionId: str(obj.sessionId) ?? ctx.sessionFallback,
      project: str(obj.cwd) ?? ctx.projectFallback,
      model,
      input,
      output,
      cacheRead,
      cacheWrite5m,
      cacheWrite1h,
      reasoning,
      speed: usage.speed === 'fast' ? 'fast' : 'standard',
      reportedCost,
      dedupKey,
      requestId: str(obj.requestId),
      isSidechain: obj.isSidechain === true,
    };
    return { kind: 'event', event };
  } catch (e) {
    if (e instanceof FieldError) return { kind: 'error', message: e.message };
    throw e;
  }
}


/**
 * Claude Code writes one line per content block, each repeating the message id, request id and usage: most lines
 * that carry usage repeat the line before. Such a line stands for a copy already counted (a copy with the same usage
 * never replaces the stored one), so it need not be parsed. The check reads a few substrings near the line's ends,
 * never its content; when anything is not found, the line is not a repeat and is parsed.
 */
export class RepeatDetector {
  private last = '';

  /** Whether the line `buf[start, end)` repeats the one before. */
  isRepeat(buf: Buffer, start: number, end: number): boolean {
    const key = repeatKey(buf.subarray(start, end));
    const repeat = key !== '' && key === this.last;
    this.last = key;
    return repeat;
  }
}

const ID_KEY = Buffer.from('"id":"msg_');
const USAGE_OBJECT_KEY = Buffer.from('"usage":{');
const REQUEST_ID_KEY = Buffer.from('"requestId":"');
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function repeatKey(line: Buffer): string {
  // The message id comes first in its message object and usage last, so both are found without scanning the content
  // between them; the request id sits either after the message object or before it, among the top-level keys.
  const id = line.indexOf(ID_KEY);
  const usage = line.lastIndexOf(USAGE_OBJECT_KEY);
  if (id < 0 || usage < id) return '';
  const idEnd = line.indexOf(QUOTE, id + ID_KEY.length);
  if (idEnd < 0 || idEnd > usage) return '';
  // Usage holds no strings with braces: it ends where its braces balance.
  let depth = 0;
  let usageEnd = -1;
  for (let i = usage + USAGE_OBJECT_KEY.length - 1; i < line.length; i++) {
    const c = line[i];
    if (c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE && --depth === 0) {
      usageEnd = i + 1;
      break;
    }
  }
  if (usageEnd < 0) return '';
  let req = line.indexOf(REQUEST_ID_KEY, usageEnd);
  if (req < 0) req = line.subarray(0, id).lastIndexOf(REQUEST_ID_KEY);
  const reqEnd = req < 0 ? -1 : line.indexOf(QUOTE, req + REQUEST_ID_KEY.length);
  const requestId = reqEnd < 0 ? '' : line.toString('latin1', req + REQUEST_ID_KEY.length, reqEnd);
  return `${line.toString('latin1', id + ID_KEY.length, idEnd)}\u0000${requestId}\u0000${line.toString('latin1', usage, usageEnd)}`;
}
