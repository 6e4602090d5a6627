/** A uniquely named PostgreSQL database per test file or benchmark run, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface ScratchDatabase {
  name: string;
  pool: Pool;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `cf_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4, application_name: `crateflow-${label}` });
  // DROP DATABASE … WITH (FORCE) below terminates (57P01) any connection still open to this scratch database,
  // and pg reports that on the pool; it is the drop doing its work. Any other error of an idle client is not.
  pool.on('error', (err) => {
    if ((err as { code?: string }).code !== '57P01') throw err;
  });
  return {
    name,
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * A database of a fixed name (a bench's long-lived generated index), created when missing and never dropped
 * here: `created` says whether it was new. `drop()` drops it when the caller is done with it for good.
 */
export async function openNamedDatabase(name: string): Promise<{ db: ScratchDatabase; created: boolean }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const exists = await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  if (!exists.rowCount) await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4, application_name: `crateflow-${name}` });
  pool.on('error', (err) => {
    if ((err as { code?: string }).code !== '57P01') throw err;
  });
  return {
    created: !exists.rowCount,
    db: {
      name,
      pool,
      drop: async () => {
        await pool.end().catch(() => undefined);
        await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      },
    },
  };
}
