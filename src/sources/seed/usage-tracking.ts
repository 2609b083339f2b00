// The seeds' shared usage-tracking.json, v1 (flat: tokens_used, requests, plan, session_start, next_reset,
// last_server) and v2 (version "2.0": token_usage.current_window, server_tracking.servers.<id> with session_tokens and
// lifetime_stats), read into lifetime figures per host. The file holds totals only, never single requests.
import type { ImportedHost } from '../../store/store.js';
import { quoteValue } from '../../core/text.js';

export class SeedFormatError extends Error {}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

function n(o: Json | undefined, key: string, where: string): number {
  const v = o?.[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SeedFormatError(`${where}.${key} is ${quoteValue(v)}, expected a non-negative number`);
  return Math.round(v);
}

/** Epoch seconds (as the seeds write them) to milliseconds; null when absent. */
function seconds(o: Json | undefined, key: string): number | null {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : null;
}

export function parseUsageTracking(raw: unknown, source: string): { version: 1 | 2; hosts: ImportedHost[] } {
  const doc = obj(raw);
  if (!doc) throw new SeedFormatError('expected a JSON object (the seeds\' usage-tracking.json)');
  const servers = obj(obj(doc.server_tracking)?.servers);
  if (String(doc.version ?? '').startsWith('2') || servers) {
    if (!servers) throw new SeedFormatError('version 2 file without server_tracking.servers');
    const hosts = Object.entries(servers).map(([host, v]) => {
      const s = obj(v);
      const where = `server_tracking.servers.${host}`;
      if (!s) throw new SeedFormatError(`${where} is not an object`);
      const life = obj(s.lifetime_stats);
      const session = obj(s.session_tokens);
      const tokens = n(life, 'total_tokens', `${where}.lifetime_stats`);
      // The split by direction is known for the current session only: it is carried over in the same proportion.
      const sIn = n(session, 'input', `${where}.session_tokens`);
      const sOut = n(session, 'output', `${where}.session_tokens`);
      const input = sIn + sOut > 0 ? Math.round((tokens * sIn) / (sIn + sOut)) : 0;
      return {
        host, tokens, input, output: sIn + sOut > 0 ? tokens - input : 0, requests: n(life, 'total_requests', `${where}.lifetime_stats`),
        sessions: n(life, 'total_sessions', `${where}.lifetime_stats`), firstSeen: seconds(life, 'first_seen'),
        lastSeen: seconds(life, 'last_seen') ?? seconds(s, 'last_active'), source,
      };
    });
    return { version: 2, hosts };
  }
  if (!('tokens_used' in doc) && !('requests' in doc)) throw new SeedFormatError('neither a version 2 file (server_tracking) nor a version 1 file (tokens_used, requests)');
  const host = typeof doc.last_server === 'string' && doc.last_server ? doc.last_server : 'MAIN';
  return {
    version: 1,
    hosts: [{
      host, tokens: n(doc, 'tokens_used', 'usage-tracking'), input: 0, output: 0, requests: n(doc, 'requests', 'usage-tracking'), sessions: 1,
      firstSeen: seconds(doc, 'session_start'), lastSeen: seconds(doc, 'session_start'), source,
    }],
  };
}
