// Upgrading the index (a migration, a secondary index to build) can take seconds on a large history. Commands with a
// deadline (the status line, hooks) must not start it: cut short, it would roll back and start again on every call.
// They hand it to a detached `tokenmeter index` instead, one at a time.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '../server/instance-lock.js';
import { indexNeedsUpgrade } from '../store/sqlite.js';
import { indexPath, tokenmeterHome } from './home.js';

/** True when the index needs an upgrade; one detached `tokenmeter index` is then at work on it. */
export function upgradingInBackground(): boolean {
  if (!indexNeedsUpgrade(indexPath())) return false;
  const lock = join(tokenmeterHome(), 'upgrade.pid');
  try {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid > 0 && alive(pid)) return true;
    rmSync(lock, { force: true });
  } catch {
    // none yet
  }
  try {
    const fd = openSync(lock, 'wx');
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'index'], { detached: true, stdio: 'ignore' });
    writeSync(fd, String(child.pid ?? 0));
    closeSync(fd);
    child.unref();
  } catch {
    // another call started it a moment ago, or it cannot start: the next call looks again
  }
  return true;
}
