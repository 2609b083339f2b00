// The pooled store's versioned schema. Daemons starting together race to migrate: a transaction-scoped advisory
// lock makes one of them do it while the others wait, then find nothing left to do.
import type { PoolClient } from 'pg';

/** pg_advisory_xact_lock keys (arbitrary, fixed): one for migrations, one that orders shipments. */
export const MIGRATE_LOCK = 7_302_541_001;
export const SHIP_LOCK = 7_302_541_002;

export const PG_MIGRATIONS: string[] = [
  // 1: events keyed by dedup key alone (a request read on two machines, e.g. a shared home, counts once), the
  // quarter-hour rollup reports read, per-host heartbeats, imported lifetime figures, official window readings, meta.
  `CREATE TABLE events (
     id BIGSERIAL NOT NULL,
     dedup_key TEXT PRIMARY KEY,
     ts BIGINT NOT NULL,
     bucket BIGINT GENERATED ALWAYS AS (ts / 900000) STORED,
     tool TEXT NOT NULL, source TEXT NOT NULL, sources TEXT, host TEXT NOT NULL, session_id TEXT NOT NULL,
     project TEXT NOT NULL, model TEXT NOT NULL, speed TEXT NOT NULL,
     input BIGINT NOT NULL, output BIGINT NOT NULL, cache_read BIGINT NOT NULL, cache_write_5m BIGINT NOT NULL,
     cache_write_1h BIGINT NOT NULL, reasoning BIGINT NOT NULL,
     reported_cost DOUBLE PRECISION, calc_cost DOUBLE PRECISION, is_sidechain SMALLINT NOT NULL, request_id TEXT,
     model_fallback SMALLINT NOT NULL DEFAULT 0
   );
   CREATE UNIQUE INDEX events_id ON events (id);
   CREATE INDEX events_ts ON events (ts);
   CREATE INDEX events_bucket ON events (bucket);
   CREATE TABLE usage_rollup (
     bucket BIGINT NOT NULL, tool TEXT NOT NULL, host TEXT NOT NULL, session_id TEXT NOT NULL, project TEXT NOT NULL,
     model TEXT NOT NULL, requests BIGINT NOT NULL, input BIGINT NOT NULL, output BIGINT NOT NULL, cache_read BIGINT NOT NULL,
     cache_write_5m BIGINT NOT NULL, cache_write_1h BIGINT NOT NULL, reasoning BIGINT NOT NULL, calc_cost DOUBLE PRECISION NOT NULL,
     calc_unknown BIGINT NOT NULL, reported_cost DOUBLE PRECISION NOT NULL, auto_cost DOUBLE PRECISION NOT NULL,
     auto_unknown BIGINT NOT NULL, last_ts BIGINT NOT NULL, fallback_requests BIGINT NOT NULL,
     PRIMARY KEY (bucket, tool, host, session_id, project, model)
   );
   CREATE INDEX usage_rollup_session ON usage_rollup (session_id);
   CREATE TABLE hosts (host TEXT PRIMARY KEY, last_seen BIGINT NOT NULL, backlog BIGINT NOT NULL DEFAULT 0, version TEXT);
   CREATE TABLE imported_hosts (
     host TEXT PRIMARY KEY, tokens BIGINT NOT NULL, input BIGINT NOT NULL, output BIGINT NOT NULL, requests BIGINT NOT NULL,
     sessions BIGINT NOT NULL, first_seen BIGINT, last_seen BIGINT, source TEXT NOT NULL, imported_at BIGINT NOT NULL);
   CREATE TABLE limit_readings (
     at BIGINT NOT NULL, tool TEXT NOT NULL, "window" TEXT NOT NULL, used_percent DOUBLE PRECISION NOT NULL,
     resets_at BIGINT NOT NULL, local_cost DOUBLE PRECISION NOT NULL, local_tokens BIGINT NOT NULL,
     PRIMARY KEY (tool, "window", at));
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('changes', '0');`,
  // 2: records that know their cost but not their tokens (Crush's sessions), so that reports mark their tokens
  // unknown instead of showing zero; an agent's own billing credits beside the tokens.
  `ALTER TABLE events ADD COLUMN tokens_unknown SMALLINT NOT NULL DEFAULT 0;
   ALTER TABLE events ADD COLUMN credits DOUBLE PRECISION;
   ALTER TABLE usage_rollup ADD COLUMN unknown_token_requests BIGINT NOT NULL DEFAULT 0;
   ALTER TABLE usage_rollup ADD COLUMN credits DOUBLE PRECISION NOT NULL DEFAULT 0;`,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Brings the schema up to date; returns the migrations applied (0 when another daemon did them first). */
export async function migratePostgres(client: PoolClient, where: string, schema?: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS tokenmeter_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM tokenmeter_schema');
    let current = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query('INSERT INTO tokenmeter_schema (version) VALUES (0)');
    if (current > PG_SCHEMA_VERSION) {
      throw new Error(`${where} has tokenmeter schema version ${current}, newer than this tokenmeter knows (${PG_SCHEMA_VERSION}); upgrade tokenmeter`);
    }
    const applied = PG_SCHEMA_VERSION - current;
    for (; current < PG_SCHEMA_VERSION; current++) await client.query(PG_MIGRATIONS[current]!);
    await client.query('UPDATE tokenmeter_schema SET version = $1', [current]);
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
