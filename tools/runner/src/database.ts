import { Client } from 'pg';

export const LOCAL_POSTGRES = { host: '127.0.0.1', port: 5432 };
export const DATABASE_NAME = 'crateflow';

export type PgProbeResult =
  { ok: true } | { ok: false; reason: 'unreachable' | 'no-database' | 'auth' | 'other'; message: string };

export interface PostgresProbes {
  /** Connects to `url` and runs a query. */
  probe(url: string): Promise<PgProbeResult>;
  /** Creates database `name` through a connection to `url`; throws when not allowed. */
  createDatabase(url: string, name: string): Promise<void>;
}

export type DatabaseChoice =
  | { kind: 'env'; url: string }
  | { kind: 'local'; url: string; user: string; created: boolean }
  | { kind: 'embedded'; reason: string };

export function localUrl(user: string, database: string): string {
  return `postgres://${encodeURIComponent(user)}@${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}/${database}`;
}

/**
 * Which PostgreSQL to use: DATABASE_URL when set; else one already listening on 127.0.0.1:5432, logged
 * into as the current user or as `postgres` (creating the `crateflow` database when it is missing);
 * else an embedded one started by the runner. The reason for falling back is returned so it can be shown.
 */
export async function chooseDatabase(
  env: NodeJS.ProcessEnv,
  currentUser: string,
  probes: PostgresProbes,
): Promise<DatabaseChoice> {
  if (env.DATABASE_URL?.trim()) return { kind: 'env', url: env.DATABASE_URL.trim() };
  const users = [...new Set([currentUser, 'postgres'])];
  const refusals: string[] = [];
  for (const user of users) {
    const url = localUrl(user, DATABASE_NAME);
    const result = await probes.probe(url);
    if (result.ok) return { kind: 'local', url, user, created: false };
    if (result.reason === 'unreachable') {
      return { kind: 'embedded', reason: `no PostgreSQL answers on ${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port}` };
    }
    if (result.reason === 'no-database') {
      try {
        await probes.createDatabase(localUrl(user, 'postgres'), DATABASE_NAME);
        return { kind: 'local', url, user, created: true };
      } catch (e) {
        refusals.push(`as ${user}: cannot create database "${DATABASE_NAME}" (${(e as Error).message})`);
        continue;
      }
    }
    refusals.push(`as ${user}: ${result.message}`);
  }
  return {
    kind: 'embedded',
    reason: `the PostgreSQL on ${LOCAL_POSTGRES.host}:${LOCAL_POSTGRES.port} did not let us in (${refusals.join('; ')})`,
  };
}

/** Sorts a connection error into what the choice above needs to know. */
export function classifyPgError(e: unknown): Exclude<PgProbeResult, { ok: true }> {
  const err = e as { code?: string; message?: string; errors?: { code?: string }[] };
  const message = err.message || String(e);
  const codes = [err.code, ...(err.errors ?? []).map((x) => x.code)];
  if (codes.some((c) => c === 'ECONNREFUSED' || c === 'EHOSTUNREACH' || c === 'ETIMEDOUT' || c === 'ENOTFOUND')) {
    return { ok: false, reason: 'unreachable', message };
  }
  if (/timeout/i.test(message) && !err.code) return { ok: false, reason: 'unreachable', message };
  if (err.code === '3D000') return { ok: false, reason: 'no-database', message };
  if (err.code === '28P01' || err.code === '28000' || /password|SASL|authentication/i.test(message)) {
    return { ok: false, reason: 'auth', message };
  }
  return { ok: false, reason: 'other', message };
}

/** The real probes, over node-postgres. */
export const pgProbes: PostgresProbes = {
  async probe(url) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { ok: true };
    } catch (e) {
      return classifyPgError(e);
    } finally {
      await client.end().catch(() => undefined);
    }
  },
  async createDatabase(url, name) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (e) {
      // Another runner created it at the same moment: that is what was wanted.
      if ((e as { code?: string }).code !== '42P04') throw e;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
