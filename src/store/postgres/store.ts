// The pooled store: one PostgreSQL database that several daemons ship their local events to. It serves the same
// reads as the embedded store (reports, the daemon's read model, the API, metrics, the status line), over every host.
// Writes arrive only as shipments from local indexes: file checkpoints and parser state stay on each machine.
import pg from 'pg';
import type { TokenCounts } from '../../core/event.js';
import { QUARTER_HOUR_MS } from '../../core/time.js';
import { localDayExpression } from '../day-sql.js';
import { outranksSql } from '../outranks.js';
import type {
  BreakdownKey, BreakdownRow, CounterValue, EventRow, Grouping, HostFigures, ImportedHost, LimitReading, Shipment,
  TimeBucketRow, TotalsRow, UsageFilter, UsageRow, ViewStore,
} from '../store.js';
import { migratePostgres, SHIP_LOCK } from './migrations.js';
import { ROLLUP_DELTA_COLUMNS, RollupDelta, type RollupSource } from './rollup-delta.js';

/** int8 and numeric (what SUM and COUNT return) as JS numbers: token counts stay far below 2^53. */
const TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

/** A connection string without its password, for messages. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

export class PostgresError extends Error {}

/** The server answers but refuses what the URL asks (no such user or database, a wrong password): not an outage. */
export class PostgresConfigError extends PostgresError {}

/** SQLSTATE classes 28 (invalid authorization) and 3D (no such database). */
const isRefusal = (code: unknown) => typeof code === 'string' && /^(28|3D)/.test(code);

/**
 * Whether an error means the server is away rather than a query being wrong: a socket error, a timeout, or SQLSTATE
 * classes 08 (connection), 53 (resources), 57 (operator intervention: shutting down, starting up, terminated).
 */
export function isUnreachable(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  return /^(08|53|57)/.test(code) || /^E[A-Z]+$/.test(code) || /timeout|terminat|Connection/i.test(String(err?.message));
}

/** What a local index records as the database it ships to: a different one gets everything again. */
export function shipTarget(url: string): string {
  return describeDatabase(url);
}

const EVENT_ROW = `id, ts, tool, source, COALESCE(sources, source) AS sources, host, session_id AS "sessionId", project, model,
  input, output, cache_read AS "cacheRead", cache_write_5m AS "cacheWrite5m", cache_write_1h AS "cacheWrite1h", reasoning,
  COALESCE(reported_cost, calc_cost, 0) AS cost`;

const ROLLUP_SUMS = `SUM(requests) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS "cacheRead",
  SUM(cache_write_5m) AS "cacheWrite5m", SUM(cache_write_1h) AS "cacheWrite1h", SUM(reasoning) AS reasoning,
  COALESCE(SUM(auto_cost), 0) AS cost`;

const BREAKDOWN_COLUMN: Record<BreakdownKey, string> = { model: 'model', project: 'project', session: 'session_id', tool: 'tool', host: 'host' };

/** Shipped columns, with the array type each is sent as (one unnest per shipment, not a statement per row). */
const SHIP_COLUMNS: Array<[column: string, type: string, field: string]> = [
  ['dedup_key', 'text', 'dedupKey'], ['ts', 'int8', 'ts'], ['tool', 'text', 'tool'], ['source', 'text', 'source'],
  ['sources', 'text', 'sources'], ['host', 'text', 'host'], ['session_id', 'text', 'sessionId'], ['project', 'text', 'project'],
  ['model', 'text', 'model'], ['speed', 'text', 'speed'], ['input', 'int8', 'input'], ['output', 'int8', 'output'],
  ['cache_read', 'int8', 'cacheRead'], ['cache_write_5m', 'int8', 'cacheWrite5m'], ['cache_write_1h', 'int8', 'cacheWrite1h'],
  ['reasoning', 'int8', 'reasoning'], ['reported_cost', 'float8', 'reportedCost'], ['calc_cost', 'float8', 'calcCost'],
  ['is_sidechain', 'int2', 'isSidechain'], ['request_id', 'text', 'requestId'], ['model_fallback', 'int2', 'modelFallback'],
  ['tokens_unknown', 'int2', 'tokensUnknown'], ['credits', 'float8', 'credits'],
];

/**
 * A host's own row is replaced by what it ships now (its local index already chose the copy to keep, and may have
 * changed it since: a new price, one more source). Between hosts (a request read on two machines), the larger copy
 * stays, exactly as the embedded store chooses (outranksSql).
 */
const UPSERT = `INSERT INTO events (${SHIP_COLUMNS.map((c) => c[0]).join(', ')})
  SELECT * FROM unnest(${SHIP_COLUMNS.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})
  ON CONFLICT (dedup_key) DO UPDATE SET ${SHIP_COLUMNS.slice(1).map(([c]) => `${c} = excluded.${c}`).join(', ')}
  WHERE excluded.host = events.host
     OR ${outranksSql('excluded', 'events')}`;

/** The columns of an event its rollup cell is made of (see RollupDelta). */
const ROLLUP_SOURCE = `ts, tool, host, session_id AS "sessionId", project, model, input, output, cache_read AS "cacheRead",
  cache_write_5m AS "cacheWrite5m", cache_write_1h AS "cacheWrite1h", reasoning, reported_cost AS "reportedCost",
  calc_cost AS "calcCost", model_fallback AS "modelFallback", tokens_unknown AS "tokensUnknown", credits`;

const SUMMED = ROLLUP_DELTA_COLUMNS.slice(6, -1).map(([c]) => c);
const APPLY_DELTA = `INSERT INTO usage_rollup (${ROLLUP_DELTA_COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${ROLLUP_DELTA_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (bucket, tool, host, session_id, project, model) DO UPDATE SET
    ${SUMMED.map((c) => `${c} = usage_rollup.${c} + excluded.${c}`).join(', ')}, last_ts = GREATEST(usage_rollup.last_ts, excluded.last_ts)`;

/** WHERE clause over the rollup for a filter, with its parameters from `$first` on. */
function rollupWhere(filter: UsageFilter, params: unknown[] = []): { sql: string; params: unknown[] } {
  const where = ['TRUE'];
  const bind = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.fromTs !== undefined) where.push(`bucket >= ${bind(Math.floor(filter.fromTs / QUARTER_HOUR_MS))}`);
  if (filter.toTs !== undefined) where.push(`bucket < ${bind(Math.ceil(filter.toTs / QUARTER_HOUR_MS))}`);
  if (filter.project !== undefined) {
    const p = bind(filter.project);
    where.push(`(project = ${p} OR right(project, length(${p}) + 1) IN ('/' || ${p}, '\\' || ${p}))`);
  }
  if (filter.session !== undefined) where.push(`session_id = ${bind(filter.session)}`);
  for (const k of ['tool', 'model', 'host'] as const) if (filter[k] !== undefined) where.push(`${k} = ${bind(filter[k])}`);
  return { sql: where.join(' AND '), params };
}

export interface PostgresOptions {
  /** A schema to work in (created if missing), e.g. one per test; also `?schema=` in the URL. */
  schema?: string;
  /** Connections kept open. */
  max?: number;
}

export class PostgresStore implements ViewStore {
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private migrated: Promise<void> | undefined;
  readonly where: string;

  constructor(url: string, opts: PostgresOptions = {}) {
    let connectionString = url;
    let schema = opts.schema;
    try {
      const u = new URL(url);
      schema ??= u.searchParams.get('schema') ?? undefined;
      u.searchParams.delete('schema');
      connectionString = u.toString();
    } catch {
      throw new PostgresError(`not a PostgreSQL URL: ${describeDatabase(url)} (expected postgres://user@host:port/database)`);
    }
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new PostgresError(`schema "${schema}": letters, digits and _ only`);
    this.schema = schema;
    this.where = describeDatabase(url);
    this.pool = new pg.Pool({
      // A server that stops answering (a network that drops packets rather than refusing) fails a query after a while
      // instead of holding the shipper and the views forever.
      connectionTimeoutMillis: 3000, query_timeout: 20_000, keepAlive: true,
      connectionString, max: opts.max ?? 4, idleTimeoutMillis: 30_000, types: TYPES,
      options: schema ? `-c search_path=${schema}` : undefined, application_name: 'tokenmeter',
    });
    // A restarted or unreachable server fails idle connections: each call reports its own error; this must not crash.
    this.pool.on('error', () => undefined);
  }

  /** Connects and brings the schema up to date (once; again after a failure). */
  ready(): Promise<void> {
    this.migrated ??= (async () => {
      const c = await this.connect();
      let failed: Error | undefined;
      try {
        await migratePostgres(c, this.where, this.schema);
      } catch (e) {
        failed = e as Error;
        // Whatever keeps the tables from being ready (no privilege, a newer schema) makes the pooled store unusable
        // until it is fixed: said as such, so that the views answer locally and the shipper waits, as for an outage.
        throw new PostgresError(isUnreachable(e)
          ? `cannot reach PostgreSQL at ${this.where}: ${failed.message}`
          : `cannot set up tokenmeter's tables at ${this.where}: ${failed.message}`);
      } finally {
        c.release(failed);
      }
    })().catch((e: Error) => {
      this.migrated = undefined;
      throw e;
    });
    return this.migrated;
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const detail = err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message;
      if (isRefusal(err.code)) throw new PostgresConfigError(`PostgreSQL at ${this.where} refuses the connection: ${detail} (check the user, password and database in the URL)`);
      throw new PostgresError(`cannot reach PostgreSQL at ${this.where}: ${detail}`);
    }
  }

  private async q<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    await this.ready();
    try {
      return (await this.pool.query(sql, params)).rows as T[];
    } catch (e) {
      if (isUnreachable(e)) throw new PostgresError(`cannot reach PostgreSQL at ${this.where}: ${(e as Error).message}`);
      throw e;
    }
  }

  /**
   * Applies a shipment in one transaction: this host's tombstones, then the rows (the larger copy stays), then what
   * they changed to the rollup. Shipments are serialized by an advisory lock, so that ids are given in commit order
   * (the daemons' read models follow new ids) and each shipment's rollup change is taken against committed rows.
   * Applying the same shipment twice (a crash before the local side heard back) changes nothing.
   */
  async ship(s: Shipment, heartbeat: { host: string; backlog: number; version: string }): Promise<void> {
    await this.ready();
    const c = await this.connect();
    let failed: Error | undefined;
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [SHIP_LOCK]);
      const delta = new RollupDelta();
      if (s.tombstones.length > 0) {
        const gone = await c.query<RollupSource>(
          `DELETE FROM events USING unnest($1::text[], $2::text[]) AS t(k, h) WHERE dedup_key = t.k AND host = t.h RETURNING ${ROLLUP_SOURCE}`,
          [s.tombstones.map((t) => t.dedupKey), s.tombstones.map((t) => t.host)]);
        for (const r of gone.rows) delta.add(r, -1);
      }
      if (s.rows.length > 0) {
        const keys = s.rows.map((r) => r.dedupKey);
        const before = await c.query<RollupSource & { dedupKey: string }>(
          `SELECT dedup_key AS "dedupKey", ${ROLLUP_SOURCE} FROM events WHERE dedup_key = ANY($1::text[])`, [keys]);
        // Only the copies the upsert actually stored (new, or larger than the one there) change the rollup.
        const stored = await c.query<{ dedup_key: string }>(`${UPSERT} RETURNING dedup_key`,
          SHIP_COLUMNS.map(([, , field]) => s.rows.map((r) => (r as unknown as Record<string, unknown>)[field])));
        const changed = new Set(stored.rows.map((r) => r.dedup_key));
        for (const r of before.rows) if (changed.has(r.dedupKey)) delta.add(r, -1);
        for (const r of s.rows) if (changed.has(r.dedupKey)) delta.add(r, 1);
      }
      if (delta.size > 0) {
        await c.query(APPLY_DELTA, delta.columns());
        await c.query('DELETE FROM usage_rollup WHERE bucket = ANY($1::int8[]) AND requests <= 0', [delta.buckets()]);
        await c.query(`UPDATE meta SET value = (value::int8 + 1)::text WHERE key = 'changes'`);
      }
      await c.query(`INSERT INTO hosts (host, last_seen, backlog, version) VALUES ($1, $2, $3, $4)
        ON CONFLICT (host) DO UPDATE SET last_seen = excluded.last_seen, backlog = excluded.backlog, version = excluded.version`,
      [heartbeat.host, Date.now(), heartbeat.backlog, heartbeat.version]);
      await c.query('COMMIT');
    } catch (e) {
      failed = e as Error;
      await c.query('ROLLBACK').catch(() => undefined);
      throw isUnreachable(e) ? new PostgresError(`cannot reach PostgreSQL at ${this.where}: ${failed.message}`) : e;
    } finally {
      // A connection that failed mid-shipment is closed rather than given back to the pool.
      c.release(failed);
    }
  }

  /** A number that changes whenever any host's shipment changed events: the read models' cue to pull. */
  async changeMarker(): Promise<string> {
    return (await this.q<{ value: string }>(`SELECT value FROM meta WHERE key = 'changes'`))[0]?.value ?? '0';
  }

  async usage(filter: UsageFilter, grouping: Grouping): Promise<UsageRow[]> {
    const { sql, params } = rollupWhere(filter);
    const group = grouping.by === 'session' ? 'session_id' : localDayExpression(grouping.offsets);
    return this.q<UsageRow>(`SELECT ${group} AS "group", model, MAX(project) AS project, MAX(last_ts) AS "lastTs",
        SUM(requests) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS "cacheRead",
        SUM(cache_write_5m) AS "cacheWrite5m", SUM(cache_write_1h) AS "cacheWrite1h", SUM(reasoning) AS reasoning,
        SUM(calc_cost) AS "calcCost", SUM(calc_unknown) AS "calcUnknown", SUM(reported_cost) AS "reportedCost",
        SUM(auto_cost) AS "autoCost", SUM(auto_unknown) AS "autoUnknown", SUM(fallback_requests) AS "fallbackRequests",
        SUM(unknown_token_requests) AS "unknownTokenRequests", COALESCE(SUM(credits), 0) AS credits, tool
      FROM usage_rollup WHERE ${sql} GROUP BY 1, model, tool`, params);
  }

  async timeRange(filter: UsageFilter): Promise<{ from: number; to: number } | null> {
    // Over time bounds only, as the embedded store's (the range sets the zone offsets a report needs).
    const { sql, params } = rollupWhere({ fromTs: filter.fromTs, toTs: filter.toTs });
    const row = (await this.q<{ lo: number | null; hi: number | null }>(`SELECT MIN(bucket) AS lo, MAX(bucket) AS hi FROM usage_rollup WHERE ${sql}`, params))[0];
    return !row || row.lo === null || row.hi === null ? null : { from: row.lo * QUARTER_HOUR_MS, to: (row.hi + 1) * QUARTER_HOUR_MS };
  }

  async eventsAfter(id: number, limit: number): Promise<EventRow[]> {
    return this.q<EventRow>(`SELECT ${EVENT_ROW} FROM events WHERE id > $1 ORDER BY id LIMIT $2`, [id, limit]);
  }

  async eventsSince(ts: number): Promise<EventRow[]> {
    return this.q<EventRow>(`SELECT ${EVENT_ROW} FROM events WHERE ts >= $1 ORDER BY ts`, [ts]);
  }

  async lastEventId(): Promise<number> {
    return (await this.q<{ id: number }>('SELECT COALESCE(MAX(id), 0) AS id FROM events'))[0]!.id;
  }

  async totals(): Promise<TotalsRow[]> {
    return this.q<TotalsRow>(`SELECT tool, model, host, ${ROLLUP_SUMS} FROM usage_rollup GROUP BY tool, model, host ORDER BY tool, model, host`);
  }

  async breakdown(filter: UsageFilter, by: BreakdownKey): Promise<BreakdownRow[]> {
    const { sql, params } = rollupWhere(filter);
    return this.q<BreakdownRow>(`SELECT ${BREAKDOWN_COLUMN[by]} AS key, ${ROLLUP_SUMS}, MAX(last_ts) AS "lastTs", SUM(auto_unknown) AS unpriced,
      SUM(unknown_token_requests) AS "tokensUnknown"
      FROM usage_rollup WHERE ${sql} GROUP BY 1 ORDER BY cost DESC`, params);
  }

  async timeBuckets(filter: UsageFilter, bucketMs: number): Promise<TimeBucketRow[]> {
    if (bucketMs % QUARTER_HOUR_MS === 0) {
      const { sql, params } = rollupWhere(filter);
      return this.q<TimeBucketRow>(`SELECT (bucket / ${bucketMs / QUARTER_HOUR_MS}) * ${bucketMs} AS t, ${ROLLUP_SUMS}
        FROM usage_rollup WHERE ${sql} GROUP BY 1 ORDER BY 1`, params);
    }
    // Finer than the rollup: from the events themselves, over the time index.
    const { sql, params } = rollupWhere({ ...filter, fromTs: undefined, toTs: undefined }, [filter.fromTs ?? -1e15, filter.toTs ?? 1e15]);
    return this.q<TimeBucketRow>(`SELECT (ts / ${bucketMs}) * ${bucketMs} AS t, COUNT(*) AS requests, SUM(input) AS input,
        SUM(output) AS output, SUM(cache_read) AS "cacheRead", SUM(cache_write_5m) AS "cacheWrite5m",
        SUM(cache_write_1h) AS "cacheWrite1h", SUM(reasoning) AS reasoning, COALESCE(SUM(COALESCE(reported_cost, calc_cost)), 0) AS cost
      FROM events WHERE ts >= $1 AND ts < $2 AND ${sql} GROUP BY 1 ORDER BY 1`, params);
  }

  async sumSince(ts: number): Promise<TokenCounts & { requests: number; cost: number }> {
    return (await this.q<TokenCounts & { requests: number; cost: number }>(`SELECT COUNT(*) AS requests,
        COALESCE(SUM(input), 0) AS input, COALESCE(SUM(output), 0) AS output, COALESCE(SUM(cache_read), 0) AS "cacheRead",
        COALESCE(SUM(cache_write_5m), 0) AS "cacheWrite5m", COALESCE(SUM(cache_write_1h), 0) AS "cacheWrite1h",
        COALESCE(SUM(reasoning), 0) AS reasoning, COALESCE(SUM(COALESCE(reported_cost, calc_cost)), 0) AS cost
      FROM events WHERE ts >= $1`, [ts]))[0]!;
  }

  async hostFigures(windowStart: number): Promise<HostFigures[]> {
    const b = Math.floor(windowStart / QUARTER_HOUR_MS);
    return this.q<HostFigures>(`SELECT COALESCE(f.host, h.host) AS host, COALESCE(f.tokens, 0) AS tokens, COALESCE(f.requests, 0) AS requests,
        COALESCE(f.sessions, 0) AS sessions, COALESCE(f.cost, 0) AS cost, COALESCE(f.unpriced, 0) AS unpriced, COALESCE(f."lastActivity", 0) AS "lastActivity",
        COALESCE(f."windowTokens", 0) AS "windowTokens", h.last_seen AS "lastSeen", h.backlog
      FROM (SELECT host, SUM(input + output + cache_read + cache_write_5m + cache_write_1h) AS tokens, SUM(requests) AS requests,
          COUNT(DISTINCT session_id) AS sessions, SUM(auto_cost) AS cost, SUM(auto_unknown) AS unpriced, MAX(last_ts) AS "lastActivity",
          SUM(CASE WHEN bucket >= $1 THEN input + output + cache_read + cache_write_5m + cache_write_1h ELSE 0 END) AS "windowTokens"
        FROM usage_rollup GROUP BY host) f FULL JOIN hosts h ON h.host = f.host ORDER BY 1`, [b]);
  }

  async importHosts(hosts: ImportedHost[]): Promise<void> {
    const at = Date.now();
    for (const h of hosts) {
      await this.q(`INSERT INTO imported_hosts (host, tokens, input, output, requests, sessions, first_seen, last_seen, source, imported_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (host) DO UPDATE SET tokens = excluded.tokens, input = excluded.input,
          output = excluded.output, requests = excluded.requests, sessions = excluded.sessions, first_seen = excluded.first_seen,
          last_seen = excluded.last_seen, source = excluded.source, imported_at = excluded.imported_at`,
      [h.host, h.tokens, h.input, h.output, h.requests, h.sessions, h.firstSeen, h.lastSeen, h.source, at]);
    }
  }

  async importedHosts(): Promise<ImportedHost[]> {
    return this.q<ImportedHost>(`SELECT host, tokens, input, output, requests, sessions, first_seen AS "firstSeen", last_seen AS "lastSeen", source
      FROM imported_hosts ORDER BY host`);
  }

  async addLimitReading(r: LimitReading): Promise<void> {
    await this.q(`INSERT INTO limit_readings (at, tool, "window", used_percent, resets_at, local_cost, local_tokens) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (tool, "window", at) DO UPDATE SET used_percent = excluded.used_percent, resets_at = excluded.resets_at`,
    [r.at, r.tool, r.window, r.usedPercent, r.resetsAt, r.localCost, r.localTokens]);
  }

  async limitReadings(window: string, since: number): Promise<LimitReading[]> {
    return this.q<LimitReading>(`SELECT at, tool, "window", used_percent AS "usedPercent", resets_at AS "resetsAt", local_cost AS "localCost",
      local_tokens AS "localTokens" FROM limit_readings WHERE "window" = $1 AND at >= $2 ORDER BY at`, [window, since]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.q<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]))[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /** Telemetry counters stay with the daemon that received them (see PooledView). */
  async counters(): Promise<CounterValue[]> {
    return [];
  }

  async eventCount(): Promise<number> {
    return (await this.q<{ n: number }>('SELECT COUNT(*) AS n FROM events'))[0]!.n;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
