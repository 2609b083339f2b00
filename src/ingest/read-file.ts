// Reads one log file's new bytes into events: the scanner picks candidate lines, the file's source parses them.
// Used both in-process and inside ingest workers, so it returns plain, cloneable data.
import { implausibility, shouldReplace, type UsageEvent } from '../core/event.js';
import { parseTranscriptBytes, RepeatDetector, USAGE_MARKER } from '../sources/claude-code/parse.js';
import type { FileSourceName } from '../sources/discovery.js';
import { isDatabaseFormat, type DatabaseFormat, type FileFormat, type WindowReading } from '../sources/file-format.js';
import { CLAUDE_TRANSCRIPT } from '../sources/agent-source.js';
import { formatNamed } from '../sources/registry.js';
import { fingerprint, FINGERPRINT_BYTES } from './fingerprint.js';
import { scanLines } from './line-scanner.js';
import { NotAFileError, readRegularFile } from './open-file.js';
import { decodeText } from './text.js';
import { withoutBulk } from './json-slim.js';

export interface ReadRequest {
  fileId: number;
  path: string;
  source: FileSourceName;
  fromOffset: number;
  fromLine: number;
  /** The file was truncated or replaced: what it contributed before goes. */
  replace: boolean;
  /** The file as discovery saw it, for its checkpoint. */
  stat: { dev: number; ino: number; size: number; mtimeMs: number };
  host: string;
  sessionFallback: string;
  projectFallback: string;
  models?: Record<string, string>;
  /** What the source's parser kept from the last read of this file (null: from the start). */
  state: string | null;
  /** The clock plausible timestamps are judged by (ms since the epoch). */
  now: number;
  /** The checkpoint's fingerprint of the bytes before `fromOffset` (see ScanOptions.expectTail). */
  expectTail?: string;
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface ReadResult {
  path: string;
  /** One event per dedup key: copies within the file are already collapsed. */
  events: UsageEvent[];
  eventCount: number;
  offset: number;
  lines: number;
  bytesRead: number;
  /** The first bad lines, with their numbers; `problemCount` counts them all. */
  problems: LineProblem[];
  problemCount: number;
  skipped: { synthetic: number; progress: number };
  /** Set when the file could not be read at all (vanished, permissions). */
  failure?: string;
  /** The parser's state after this read, for the next one. */
  state: string | null;
  /** Official usage-window readings the file carries (Codex's rate_limits). */
  readings: WindowReading[];
  /** Fingerprint of the bytes just before `offset`, kept with the checkpoint. */
  tailHash: string;
  /** The part read before had been rewritten: this is a read from the start, replacing what the file gave before. */
  rewritten?: boolean;
}

const MAX_PROBLEMS_KEPT = 100;

export function readLogFile(req: ReadRequest): ReadResult {
  const r = readOnce(req);
  if (!r.rewritten) return r;
  const again = readOnce({ ...req, fromOffset: 0, fromLine: 0, state: null, expectTail: undefined });
  again.rewritten = true;
  return again;
}

function readOnce(req: ReadRequest): ReadResult {
  const format = formatNamed(req.source);
  if (format === CLAUDE_TRANSCRIPT) return readClaudeFile(req);
  return isDatabaseFormat(format) ? readDatabase(req, format) : readFormatFile(req, format);
}

/** Why a file could not be read, in a word or a few. */
function failureOf(e: unknown): string {
  return e instanceof NotAFileError ? 'not a regular file' : (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** Whether a source's files are rewritten whole (one JSON document), so that any change replaces what they gave. */
export function rewrittenWhole(source: FileSourceName): boolean {
  const format = formatNamed(source);
  return format !== CLAUDE_TRANSCRIPT && !isDatabaseFormat(format) && format.wholeFile;
}

/** Whether a source's "file" is a database read whole at each change (see DatabaseFormat.wholeRead). */
export function readWholeDatabase(source: FileSourceName): boolean {
  const format = formatNamed(source);
  return isDatabaseFormat(format) && format.wholeRead === true;
}

/** Whether a source's "file" is another program's database, read by what changed rather than by offset. */
export function isDatabase(source: FileSourceName): boolean {
  return isDatabaseFormat(formatNamed(source));
}

/** A read's events (one per dedup key) and its count of bad lines. */
function finishRead(result: ReadResult, best: Map<string, UsageEvent>, problemCount: number): ReadResult {
  result.problemCount = problemCount;
  result.events = [...best.values()];
  result.eventCount = result.events.length;
  return result;
}

function keepBest(best: Map<string, UsageEvent>, e: UsageEvent): void {
  const prev = best.get(e.dedupKey);
  if (!prev || shouldReplace(prev, e)) best.set(e.dedupKey, e);
}

/** Codex rollouts and Gemini chats: the source's own parser, which carries its state from one read to the next. */
function readFormatFile(req: ReadRequest, format: FileFormat): ReadResult {
  const best = new Map<string, UsageEvent>();
  const problems: LineProblem[] = [];
  const readings: WindowReading[] = [];
  const result: ReadResult = {
    path: req.path, events: [], eventCount: 0, offset: req.fromOffset, lines: req.fromLine, bytesRead: 0, problems, problemCount: 0,
    skipped: { synthetic: 0, progress: 0 }, state: req.state, readings, tailHash: '',
  };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path, mtimeMs: req.stat.mtimeMs, models: req.models };
  let problemCount = 0;
  const problem = (line: number, message: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line, message });
  };
  try {
    const parser = format.parser(ctx, format.wholeFile ? null : req.state);
    // The line being parsed: an implausible request is reported at it, unless it is a half-written last line.
    let at = { lineNo: 1, unterminated: false };
    const emit = (e: UsageEvent) => {
      const why = implausibility(e, req.now);
      if (!why) keepBest(best, e);
      else if (!at.unterminated) problem(at.lineNo, why);
    };
    if (format.wholeFile) {
      const buf = readRegularFile(req.path);
      const doc = format.bulkKeys ? withoutBulk(buf, format.bulkKeys) : buf;
      const why = parser.whole!(decodeText(doc, 0, doc.length), emit, (message) => problem(1, message));
      // A document that cannot be read (caught mid-write, or broken) replaces nothing: what its last good version
      // gave stays counted, and it is read again when it next changes.
      if (why) {
        result.failure = why;
        return finishRead(result, new Map(), problemCount);
      }
      result.offset = buf.length;
      result.lines = 1;
      result.bytesRead = buf.length;
      result.tailHash = fingerprint(buf.subarray(Math.max(buf.length - FINGERPRINT_BYTES, 0)));
    } else {
      const scan = scanLines(req.path, req.fromOffset, req.fromLine, { marker: format.markers, expectTail: req.expectTail }, (line) => {
        at = line;
        const why = parser.line(line.text, emit, (r) => readings.push(r));
        // A half-written last line is not an error yet: it is read again once it is complete.
        if (why && !line.unterminated) problem(line.lineNo, why);
      });
      for (const line of scan.oversizedLines) problem(line, 'line too long, skipped');
      result.offset = scan.offset;
      result.lines = scan.lines;
      result.bytesRead = scan.bytesRead;
      result.tailHash = scan.tailHash;
      result.rewritten = scan.rewritten;
    }
    result.state = parser.state();
  } catch (e) {
    result.failure = failureOf(e);
  }
  return finishRead(result, best, problemCount);
}

/**
 * A live database: its format reads what changed since the state kept with the checkpoint. The "offset" is the size
 * of the database and its WAL as discovery saw them, only so that the checkpoint says what was read.
 */
function readDatabase(req: ReadRequest, format: DatabaseFormat): ReadResult {
  const best = new Map<string, UsageEvent>();
  const problems: LineProblem[] = [];
  const result: ReadResult = {
    path: req.path, events: [], eventCount: 0, offset: req.stat.size, lines: 0, bytesRead: 0, problems, problemCount: 0,
    skipped: { synthetic: 0, progress: 0 }, state: req.state, readings: [], tailHash: '',
  };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path };
  let problemCount = 0;
  const problem = (message: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line: 0, message });
  };
  try {
    result.state = format.read(req.path, req.state, ctx, (e) => {
      const why = implausibility(e, req.now);
      if (!why) keepBest(best, e);
      else problem(`${e.dedupKey}: ${why}`);
    }, (where, message) => problem(`${where}: ${message}`));
    result.bytesRead = req.stat.size;
  } catch (e) {
    result.failure = (e as { code?: string }).code ? `${(e as { code: string }).code}: ${(e as Error).message}` : (e as Error).message;
    result.state = req.state;
  }
  return finishRead(result, best, problemCount);
}

function readClaudeFile(req: ReadRequest): ReadResult {
  const best = new Map<string, UsageEvent>();
  const problems: LineProblem[] = [];
  const skipped = { synthetic: 0, progress: 0 };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path };
  const result: ReadResult = {
    path: req.path, events: [], eventCount: 0, offset: req.fromOffset, lines: req.fromLine, bytesRead: 0, problems, problemCount: 0,
    skipped, state: null, readings: [], tailHash: '',
  };
  let problemCount = 0;
  const problem = (line: number, message: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line, message });
  };
  try {
    const repeats = new RepeatDetector();
    const scan = scanLines(req.path, req.fromOffset, req.fromLine, { marker: USAGE_MARKER, latin1: true, expectTail: req.expectTail }, (line) => {
      if (repeats.isRepeat(line.buf, line.start, line.end)) return;
      const out = parseTranscriptBytes(line.buf, line.start, line.end, line.hit, ctx, line.offset);
      if (out.kind === 'skip') {
        if (out.reason === 'synthetic') skipped.synthetic++;
        else if (out.reason === 'progress') skipped.progress++;
        return;
      }
      const why = out.kind === 'error' ? out.message : implausibility(out.event, req.now);
      if (!why) keepBest(best, (out as { event: UsageEvent }).event);
      // A half-written last line is not an error yet: it is read again once it is complete.
      else if (!line.unterminated) problem(line.lineNo, why);
    });
    for (const line of scan.oversizedLines) problem(line, 'line too long, skipped');
    result.offset = scan.offset;
    result.lines = scan.lines;
    result.bytesRead = scan.bytesRead;
    result.tailHash = scan.tailHash;
    result.rewritten = scan.rewritten;
  } catch (e) {
    result.failure = failureOf(e);
  }
  return finishRead(result, best, problemCount);
}
