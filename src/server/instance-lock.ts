// One daemon per home: a lock file holding the owner's pid and port. A lock whose owner is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface LockOwner {
  pid: number;
  port: number;
  host: string;
  startedAt: string;
  /** Fleet mode: the daemon serves the pooled figures, which this machine's index alone does not have. */
  fleet?: boolean;
}

export class AlreadyRunning extends Error {
  constructor(readonly owner: LockOwner, path: string) {
    super(`another tokenmeter daemon (pid ${owner.pid}, http://${owner.host}:${owner.port}) already serves this home; lock ${path}`);
  }
}

/** Whether a process with this pid runs (one of another user's counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

/** The daemon that holds this lock, if one is running. */
export function runningDaemon(path: string): LockOwner | null {
  const owner = readLock(path);
  return owner && owner.pid !== process.pid && alive(owner.pid) ? owner : null;
}

export class InstanceLock {
  private held = false;

  constructor(readonly path: string) {}

  acquire(owner: LockOwner): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(this.path, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const current = readLock(this.path);
        if (current && current.pid !== process.pid && alive(current.pid)) throw new AlreadyRunning(current, this.path);
        rmSync(this.path, { force: true }); // left by a daemon that died
        continue;
      }
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      this.held = true;
      return;
    }
    throw new Error(`cannot take the lock ${this.path}`);
  }

  /** Records the port actually bound (when 0 asked for any). */
  update(owner: LockOwner): void {
    if (!this.held) return;
    const fd = openSync(this.path, 'w', 0o600);
    writeSync(fd, JSON.stringify(owner));
    closeSync(fd);
  }

  release(): void {
    if (!this.held) return;
    const current = readLock(this.path);
    if (!current || current.pid === process.pid) rmSync(this.path, { force: true });
    this.held = false;
  }
}
