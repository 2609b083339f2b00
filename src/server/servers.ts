// Per-host figures, like the seeds' server_tracking section: each host's current 5-hour window and lifetime tokens,
// requests, sessions and last activity, the index's own plus what was imported from the seeds' shared file.
import { BLOCK_MS } from '../core/blocks.js';
import type { ViewStore } from '../store/store.js';

export async function serverRows(store: ViewStore, now = Date.now()) {
  const figures = await store.hostFigures(now - BLOCK_MS);
  const imported = new Map((await store.importedHosts()).map((h) => [h.host, h]));
  const hosts = [...new Set([...figures.map((f) => f.host), ...imported.keys()])].sort();
  return hosts.map((host) => {
    const f = figures.find((x) => x.host === host);
    const i = imported.get(host);
    const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);
    return {
      host, windowTokens: f?.windowTokens ?? 0, lifetimeTokens: (f?.tokens ?? 0) + (i?.tokens ?? 0), requests: (f?.requests ?? 0) + (i?.requests ?? 0),
      sessions: (f?.sessions ?? 0) + (i?.sessions ?? 0), cost: f?.cost ?? 0, costUnknown: (f?.unpriced ?? 0) > 0, lastActivity: iso(f?.lastActivity) ?? iso(i?.lastSeen),
      // Fleet mode: when the host's daemon last reported to the pooled store, and what it had not shipped then.
      lastSeen: iso(f?.lastSeen), backlog: f?.backlog ?? null,
      imported: i ? { tokens: i.tokens, requests: i.requests, sessions: i.sessions, firstSeen: iso(i.firstSeen), lastSeen: iso(i.lastSeen) } : null,
    };
  });
}
