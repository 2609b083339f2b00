// Reads one log file's new bytes into events: the scanner picks candidate lines, the file's source parses them.
// Used both in-process and inside ingest workers, so it returns plain, cloneable data.
import { shouldReplace, type UsageEvent } from '../core/event.js';
import { parseTranscriptLine, RepeatDetector, USAGE_MARKER } from '../sources/claude-code/parse.js';
import type { FileSourceName } from '../sources/discovery.js';
import { scanLines } from './line-scanner.js';

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
}

const MAX_PROBLEMS_KEPT = 100;

export function readLogFile(req: ReadRequest): ReadResult {
  const best = new Map<string, UsageEvent>();
  const problems: LineProblem[] = [];
  const skipped = { synthetic: 0, progress: 0 };
  const ctx = { host: req.host, sessionFallback: req.sessionFallback, projectFallback: req.projectFallback, fileKey: req.path };
  const result: ReadResult = { path: req.path, events: [], eventCount: 0, offset: req.fromOffset, lines: req.fromLine, bytesRead: 0, problems, problemCount: 0, skipped };
  let problemCount = 0;
  try {
    const repeats = new RepeatDetector();
    const scan = scanLines(req.path, req.fromOffset, req.fromLine, { marker: USAGE_MARKER, latin1: true }, (line) => {
      if (repeats.isRepeat(line.text)) return;
      const out = parseTranscriptLine(line.text, ctx, line.offset, true);
      if (out.kind === 'event') {
        const prev = best.get(out.event.dedupKey);
        if (!prev || shouldReplace(prev, out.event)) best.set(out.event.dedupKey, out.event);
      } else if (out.kind === 'skip') {
        if (out.reason === 'synthetic') skipped.synthetic++;
        else if (out.reason === 'progress') skipped.progress++;
      } else if (!line.unterminated) {
        // A half-written last line is not an error yet: it is read again once it is complete.
        problemCount++;
        if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line: line.lineNo, message: out.message });
      }
    });
    for (const line of scan.oversizedLines) {
      problemCount++;
      if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ line, message: 'line too long, skipped' });
    }
    result.offset = scan.offset;
    result.lines = scan.lines;
    result.bytesRead = scan.bytesRead;
  } catch (e) {
    result.failure = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  result.problemCount = problemCount;
  result.events = [...best.values()];
  result.eventCount = result.events.length;
  return result;
}
