// The daemon's log: to stderr and to a file in TOKENMETER_HOME that rotates by size. stderr is quiet by default
// (warnings and errors) and the file says what the daemon did (start, stop, what it found and read); --verbose puts
// that on stderr too, DEBUG=tokenmeter adds every read, line by line.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { printable } from '../core/text.js';

/** A message longer than this is cut (a stack trace fits). */
const MAX_MESSAGE_CHARS = 8000;
const MAX_FILE_BYTES = 1 << 20;
const KEEP_FILES = 3;

export type Level = 'error' | 'warn' | 'info' | 'debug';
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export class Logger {
  private size = 0;
  /** The file keeps what the daemon did (info) even when stderr is quiet, so that a user can see what happened. */
  private readonly fileLevel: Level;

  constructor(private readonly file: string | null, private readonly level: Level, private readonly stderr = true) {
    this.fileLevel = RANK[level] >= RANK.info ? level : 'info';
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      try {
        this.size = statSync(file).size;
      } catch {
        this.size = 0;
      }
    }
  }

  enabled(level: Level): boolean {
    return RANK[level] <= RANK[this.file ? this.fileLevel : this.level];
  }

  error(msg: string): void {
    this.write('error', msg);
  }
  warn(msg: string): void {
    this.write('warn', msg);
  }
  info(msg: string): void {
    this.write('info', msg);
  }
  debug(msg: string): void {
    this.write('debug', msg);
  }

  private write(level: Level, msg: string): void {
    if (!this.enabled(level)) return;
    // Messages quote names from logs and telemetry: control characters are shown, never obeyed by a terminal.
    const text = msg.length > MAX_MESSAGE_CHARS ? `${msg.slice(0, MAX_MESSAGE_CHARS)}… (${msg.length} characters)` : msg;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${text.split('\n').map(printable).join('\n')}\n`;
    if (this.stderr && RANK[level] <= RANK[this.level]) process.stderr.write(line);
    if (!this.file) return;
    try {
      if (this.size + line.length > MAX_FILE_BYTES) this.rotate();
      appendFileSync(this.file, line);
      this.size += Buffer.byteLength(line);
    } catch {
      // A full disk or a removed folder must not stop the daemon; stderr still has the line.
    }
  }

  /** daemon.log → daemon.log.1 → … → daemon.log.3 (dropped). */
  private rotate(): void {
    for (let i = KEEP_FILES - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        // not there yet
      }
    }
    try {
      renameSync(this.file!, `${this.file}.1`);
    } catch {
      // not there yet
    }
    this.size = 0;
  }
}

export function logLevel(verbose: boolean, env: NodeJS.ProcessEnv = process.env): Level {
  const debug = (env.DEBUG ?? '').split(',').map((s) => s.trim());
  if (debug.includes('tokenmeter') || debug.includes('tokenmeter:*') || debug.includes('*')) return 'debug';
  return verbose ? 'info' : 'warn';
}
