// The change a shipment makes to the pooled rollup: each copy it removed (a tombstone, a smaller copy replaced) is
// taken out of its quarter hour, each copy it stored is put in. Applied as one upsert, this keeps the rollup current at
// the cost of the shipment alone, however many hosts share its quarter hours.
import { QUARTER_HOUR_MS } from '../../core/time.js';

/** The columns of an event that the rollup sums or groups by. */
export interface RollupSource {
  ts: number;
  tool: string;
  host: string;
  sessionId: string;
  project: string;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  reasoning: number;
  reportedCost: number | null;
  calcCost: number | null;
  modelFallback: number;
  tokensUnknown: number;
  credits: number | null;
}

const SUMS = ['requests', 'input', 'output', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'reasoning', 'calcCost', 'calcUnknown',
  'reportedCost', 'autoCost', 'autoUnknown', 'fallbackRequests', 'unknownTokenRequests', 'credits'] as const;

interface Cell {
  bucket: number;
  tool: string;
  host: string;
  sessionId: string;
  project: string;
  model: string;
  lastTs: number;
  sums: Record<(typeof SUMS)[number], number>;
}

export class RollupDelta {
  private cells = new Map<string, Cell>();

  /** Adds (sign 1) or takes out (sign -1) one event's contribution. */
  add(e: RollupSource, sign: 1 | -1): void {
    const bucket = Math.floor(e.ts / QUARTER_HOUR_MS);
    const key = `${bucket}\u0000${e.tool}\u0000${e.host}\u0000${e.sessionId}\u0000${e.project}\u0000${e.model}`;
    let c = this.cells.get(key);
    if (!c) {
      c = { bucket, tool: e.tool, host: e.host, sessionId: e.sessionId, project: e.project, model: e.model, lastTs: 0,
        sums: Object.fromEntries(SUMS.map((k) => [k, 0])) as Cell['sums'] };
      this.cells.set(key, c);
    }
    const s = c.sums;
    s.requests += sign;
    s.input += sign * e.input;
    s.output += sign * e.output;
    s.cacheRead += sign * e.cacheRead;
    s.cacheWrite5m += sign * e.cacheWrite5m;
    s.cacheWrite1h += sign * e.cacheWrite1h;
    s.reasoning += sign * e.reasoning;
    s.calcCost += sign * (e.calcCost ?? 0);
    s.calcUnknown += sign * (e.calcCost === null ? 1 : 0);
    s.reportedCost += sign * (e.reportedCost ?? 0);
    s.autoCost += sign * (e.reportedCost ?? e.calcCost ?? 0);
    s.autoUnknown += sign * (e.reportedCost === null && e.calcCost === null ? 1 : 0);
    s.fallbackRequests += sign * e.modelFallback;
    s.unknownTokenRequests += sign * (e.tokensUnknown ?? 0);
    s.credits += sign * (e.credits ?? 0);
    // A removal cannot lower the latest time it has seen: last activity may stay a little late, never early.
    if (sign > 0) c.lastTs = Math.max(c.lastTs, e.ts);
  }

  get size(): number {
    return this.cells.size;
  }

  buckets(): number[] {
    return [...new Set([...this.cells.values()].map((c) => c.bucket))];
  }

  /** Column arrays in usage_rollup's column order, for one unnest. */
  columns(): unknown[][] {
    const cells = [...this.cells.values()];
    return [
      cells.map((c) => c.bucket), cells.map((c) => c.tool), cells.map((c) => c.host), cells.map((c) => c.sessionId),
      cells.map((c) => c.project), cells.map((c) => c.model),
      ...SUMS.map((k) => cells.map((c) => c.sums[k])), cells.map((c) => c.lastTs),
    ];
  }
}

/** usage_rollup's columns in the order columns() gives them, each with its array type. */
export const ROLLUP_DELTA_COLUMNS: Array<[string, string]> = [
  ['bucket', 'int8'], ['tool', 'text'], ['host', 'text'], ['session_id', 'text'], ['project', 'text'], ['model', 'text'],
  ['requests', 'int8'], ['input', 'int8'], ['output', 'int8'], ['cache_read', 'int8'], ['cache_write_5m', 'int8'],
  ['cache_write_1h', 'int8'], ['reasoning', 'int8'], ['calc_cost', 'float8'], ['calc_unknown', 'int8'], ['reported_cost', 'float8'],
  ['auto_cost', 'float8'], ['auto_unknown', 'int8'], ['fallback_requests', 'int8'], ['unknown_token_requests', 'int8'], ['credits', 'float8'], ['last_ts', 'int8'],
];
