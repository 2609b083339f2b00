// What a file-based source other than Claude Code's (whose hot path lives in ingest/read-file.ts) gives the reader:
// the markers of lines worth decoding, and a parser that keeps its state between reads of a growing file.
import type { UsageEvent } from '../core/event.js';
import { quoteValue } from '../core/text.js';

export interface FileContext {
  host: string;
  /** Session id to use when the file names none: usually the file's name. */
  sessionFallback: string;
  projectFallback: string;
  /** Stable identity of the file. */
  fileKey: string;
  /** When the file was last written: the time of records that carry none (a session's running totals). */
  mtimeMs?: number;
  /** What the model names its records use stand for, where discovery knows (see DiscoveredFile.models). */
  models?: Record<string, string>;
}

/** An official usage-window reading a log carries (Codex's rate_limits). */
export interface WindowReading {
  tool: string;
  window: '5h' | '7d';
  at: number;
  usedPercent: number;
  resetsAt: number;
}

export interface FileParser {
  /** One candidate line; returns why it is bad, or undefined. */
  line(text: string, emit: (e: UsageEvent) => void, reading: (r: WindowReading) => void): string | undefined;
  /**
   * A file rewritten as a whole (one JSON document): its entire text. Returns why the document cannot be read; a bad
   * record inside it goes to `problem` (saying which), and the others are still emitted.
   */
  whole?(text: string, emit: (e: UsageEvent) => void, problem: (message: string) => void): string | undefined;
  /** What the next read of this file must know (a running total, the current model), kept with its checkpoint. */
  state(): string | null;
}

export interface FileFormat {
  /**
   * A line is decoded only if it contains one of these. A marker may be any part of what such lines hold (a part
   * finds every line the whole would, and the parser skips the others), and its first byte decides its speed: the
   * search jumps from one occurrence of that byte to the next, so `_count"` (its first byte rare in logs) is found
   * five times faster than `"token_count"` (a quote, in every key and value). Up to 7 bytes: a longer needle whose
   * first byte is common is searched by its last byte, and a quote there makes it as slow again.
   */
  markers: Buffer[];
  /** Read from the start whenever it changes: the file is rewritten, not appended to. */
  wholeFile: boolean;
  /**
   * A whole file's keys (each as `"<key>":`) whose string values the parser never reads, such as a conversation's
   * text: they are cut out of the bytes before the document is decoded.
   */
  bulkKeys?: Buffer[];
  parser(ctx: FileContext, state: string | null): FileParser;
}

/**
 * Another program's live SQLite database (WAL), read incrementally: `read` gets what changed since the state it
 * returned last time. It must open read-only, never wait on the writer, and leave its state unchanged (so the next
 * sweep tries again) when the database is busy or in a shape it does not know.
 */
export interface DatabaseFormat {
  database: true;
  /**
   * Read whole at each change: its rows are running totals updated in place (Crush's sessions), so what it holds now
   * replaces what it held, rather than adding what came since.
   */
  wholeRead?: boolean;
  /** Emits the usage added or completed since `state`; returns the state to resume from. Throws when it cannot read. */
  read(path: string, state: string | null, ctx: FileContext, emit: (e: UsageEvent) => void, problem: (where: string, message: string) => void): string | null;
}

export const isDatabaseFormat = (f: unknown): f is DatabaseFormat => isObject(f) && f.database === true;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-negative count, or an error naming the field. */
export function count(o: Record<string, unknown>, key: string, path: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FormatError(`${path ? `${path}.` : ''}${key} is ${quoteValue(v)}, expected a non-negative number`);
  return Math.round(v);
}

export class FormatError extends Error {}

/** JSON.parse's failure, said without quoting the line (it may hold prompt text). */
export function jsonError(e: unknown): string {
  const m = (e as Error).message;
  const at = /position (\d+)/.exec(m)?.[1];
  return at ? `malformed JSON at byte ${at}` : /Unexpected end/.test(m) ? 'malformed JSON (ends early)' : 'malformed JSON';
}

/** A JSONL line as an object, or why it is not one. */
export function jsonObjectLine(text: string): Record<string, unknown> | string {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return jsonError(e);
  }
  return isObject(o) ? o : 'line is not a JSON object';
}

/** A non-empty string, or null. */
export const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A time given as epoch milliseconds or an ISO-8601 string, or NaN. */
export function timeOf(v: unknown): number {
  if (typeof v === 'number') return v;
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

/** A cost an agent recorded, kept only when it is one (custom and BYOK models record 0: the price database decides). */
export function recordedCost(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

/**
 * A format whose files are one JSON document rewritten whole (Cline, Droid, Auggie, Amp, OpenCode's message files):
 * `read` gets the parsed document, emits its records, reports a bad record with `problem` (the others still count)
 * and returns why the document itself cannot be read (then nothing it gave before is replaced).
 */
export function jsonDocumentFormat(
  read: (doc: unknown, ctx: FileContext, emit: (e: UsageEvent) => void, problem: (m: string) => void) => string | undefined,
  bulkKeys?: string[],
): FileFormat {
  return {
    markers: [],
    wholeFile: true,
    bulkKeys: bulkKeys?.map((k) => Buffer.from(`"${k}":`)),
    parser: (ctx) => ({
      line: () => undefined,
      state: () => null,
      whole(text, emit, problem) {
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (e) {
          return jsonError(e);
        }
        return read(doc, ctx, emit, problem);
      },
    }),
  };
}

/** Reads one record of a document; a bad field (FormatError) is that record's problem, said with where it is. */
export function guardRecord(problem: (m: string) => void, where: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    problem(`${where}: ${e.message}`);
  }
}
