// token-metrics.json for status-line scripts that read a file: rewritten atomically (a temporary file renamed over
// it) at most once a second after a change, and every 30 s regardless so `updatedAt` tells readers the daemon lives.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const MIN_INTERVAL_MS = 1000;
const HEARTBEAT_MS = 30_000;

export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastVersion = -1;
  private lastWrite = 0;
  private writing = false;
  private lastError = { message: '', at: 0 };

  constructor(
    readonly path: string,
    private readonly build: () => Promise<unknown>,
    private readonly version: () => number,
    private readonly onError: (e: Error) => void,
  ) {
    mkdirSync(dirname(path), { recursive: true });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), MIN_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (this.writing || (this.version() === this.lastVersion && now - this.lastWrite < HEARTBEAT_MS)) return;
    this.writing = true;
    try {
      await this.write();
    } catch (e) {
      // A lasting problem (a read-only folder) is reported once a minute, not once a second.
      const message = (e as Error).message;
      if (message !== this.lastError.message || now - this.lastError.at > 60_000) {
        this.lastError = { message, at: now };
        this.onError(e as Error);
      }
    } finally {
      this.writing = false;
    }
  }

  async write(): Promise<void> {
    const version = this.version();
    const body = JSON.stringify(await this.build(), null, 2) + '\n';
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, body, { mode: 0o644 });
    renameSync(tmp, this.path);
    this.lastVersion = version;
    this.lastWrite = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
