import 'reflect-metadata';
import type { Pool } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseOptions {
  url: string;
  /** Shown in pg_stat_activity, so an operator sees which service holds a connection. */
  applicationName: string;
  poolSize?: number;
  logging?: boolean;
}

/** The one way every service builds its TypeORM data source: migrations only, never `synchronize`. */
export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: options.logging ? ['error', 'warn', 'migration'] : ['error'],
    extra: { max: options.poolSize ?? 10 },
  };
}

/**
 * The pg pool under a data source, for code that speaks to pg directly (the fingerprint index streams
 * postings in bulk) while sharing the service's connections and limits.
 */
export function pgPoolOf(dataSource: DataSource): Pick<Pool, 'connect' | 'query' | 'end'> {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}

/** Runs pending migrations and returns their names. Safe to call from several processes at once. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  // An advisory lock serialises concurrent start-ups (the runner, several replicas). The lock holds one
  // connection while TypeORM migrates on another, so a pool of one would wait for itself forever.
  const poolSize = (dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10;
  if (poolSize < 2)
    throw new Error('runMigrations needs a connection pool of at least 2 (one holds the migration lock)');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(74656)');
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(74656)').catch(() => undefined);
    await runner.release();
  }
}

/**
 * SQL that would bring the database in line with the entities. Empty after migrations when entities and
 * migrations agree; anything else is drift (an entity changed without a migration, or the reverse).
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
