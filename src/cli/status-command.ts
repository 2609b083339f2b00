// tokenmeter status: whether the daemon runs, what the index holds, and in fleet mode where it ships and how many
// changes wait to be shipped (the backlog a PostgreSQL outage leaves).
import { existsSync } from 'node:fs';
import { runningDaemon } from '../server/instance-lock.js';
import { SqliteStore } from '../store/sqlite.js';
import { daemonLockPath, hostName, indexPath } from './home.js';
import { thousands } from './statusline-format.js';

export async function runStatus(flags: { json?: boolean }): Promise<void> {
  const daemon = runningDaemon(daemonLockPath());
  const path = indexPath();
  const status: Record<string, unknown> = {
    daemon: daemon ? { pid: daemon.pid, url: `http://${daemon.host}:${daemon.port}`, startedAt: daemon.startedAt } : null,
    index: path, host: hostName(), events: 0, fleet: null,
  };
  if (existsSync(path)) {
    const store = new SqliteStore(path);
    try {
      status.events = await store.eventCount();
      const target = await store.getMeta('ship_target');
      if (target) {
        const lastAt = Number(await store.getMeta('ship_last_at')) || null;
        status.fleet = {
          database: target, backlog: await store.shipBacklog(),
          lastShippedAt: lastAt ? new Date(lastAt).toISOString() : null, lastError: (await store.getMeta('ship_last_error')) || null,
        };
      }
    } finally {
      await store.close();
    }
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  const d = status.daemon as { pid: number; url: string } | null;
  const f = status.fleet as { database: string; backlog: number; lastShippedAt: string | null; lastError: string | null } | null;
  const lines = [
    `daemon:   ${d ? `running (pid ${d.pid}, ${d.url})` : 'not running'}`,
    `index:    ${path} (${thousands(status.events as number)} requests)`,
    `host:     ${status.host as string}`,
    `fleet:    ${f ? `shipping to ${f.database}` : 'off (--store postgres://… or TOKENMETER_DATABASE_URL to pool hosts)'}`,
  ];
  if (f) {
    lines.push(`backlog:  ${thousands(f.backlog)} change(s) not yet in the pooled store`);
    lines.push(`shipped:  ${f.lastShippedAt ?? 'never'}`);
    if (f.lastError) lines.push(`problem:  ${f.lastError}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
