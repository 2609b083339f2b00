// The PostgreSQL on this machine (127.0.0.1:5432, trust auth, database `test`), one schema per test, dropped after.
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TOKENMETER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let n = 0;

/** A fresh schema name and the URL that works in it. */
export function testSchema(base = TEST_DATABASE_URL): { schema: string; url: string; drop: () => Promise<void> } {
  const schema = `tm_${process.pid}_${Date.now().toString(36)}_${n++}`;
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  return {
    schema,
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs a query in a schema (for assertions straight on the pooled tables). */
export async function querySchema<T>(schema: string, sql: string, params: unknown[] = [], base = TEST_DATABASE_URL): Promise<T[]> {
  const c = new pg.Client({ connectionString: base, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}
