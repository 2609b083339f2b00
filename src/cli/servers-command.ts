// tokenmeter servers: each host's current-window and lifetime tokens, requests, sessions, last activity, with the
// lifetime figures imported from the seeds' shared file, like the seeds' server_tracking section.
import { serverRows } from '../server/servers.js';
import { withIndex } from './index-access.js';
import { thousands } from './statusline-format.js';
import { printable } from '../core/text.js';
import { colorEnabled } from './render-table.js';

export async function runServers(flags: { json?: boolean; store?: string }): Promise<void> {
  await withIndex({ store: flags.store }, async (store) => {
    const rows = await serverRows(store);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ servers: rows }, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write('No usage found.\n');
      return;
    }
    const { default: Table } = await import('cli-table3');
    const fleet = rows.some((r) => r.lastSeen);
    const when = (iso: string | null) => iso?.slice(0, 16).replace('T', ' ') ?? '';
    // cli-table3 colours its head and borders unless told not to: only on a terminal that takes colour.
    const color = colorEnabled(process.stdout);
    const t = new Table({ style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] }, head: ['Host', 'Window (5 h)', 'Lifetime tokens', 'Requests', 'Sessions', 'Cost', 'Last activity', ...(fleet ? ['Last seen', 'Unshipped'] : [])] });
    for (const r of rows) {
      t.push([printable(r.host) + (r.imported ? ' *' : ''), thousands(r.windowTokens), thousands(r.lifetimeTokens), thousands(r.requests), thousands(r.sessions), `$${r.cost.toFixed(2)}${r.costUnknown ? '?' : ''}`, when(r.lastActivity),
        ...(fleet ? [when(r.lastSeen), r.backlog === null ? '' : thousands(r.backlog)] : [])]);
    }
    process.stdout.write(`${t.toString()}\n${rows.some((r) => r.imported) ? '* includes lifetime figures imported from usage-tracking.json (cost unknown there)\n' : ''}`);
  });
}
