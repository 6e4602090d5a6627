import { Client } from 'pg';
import { TABLE_OWNERS } from '@crateflow/contracts';
import { FINGERPRINT_SCHEMA_SQL, FINGERPRINT_TABLES } from '@crateflow/fingerprint';
import { ENTITIES } from './entities';
import { pendingSchemaChanges } from './data-source';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from './testing';

/** Columns and indexes of some tables, as the catalog describes them (names of constraints aside). */
async function describeTables(
  query: (sql: string, params: unknown[]) => Promise<unknown[]>,
  tables: readonly string[],
) {
  const columns = await query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity, identity_generation
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1::text[])
      ORDER BY table_name, ordinal_position`,
    [tables],
  );
  const indexes = await query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1::text[]) ORDER BY tablename, indexname`,
    [tables],
  );
  const constraints = await query(
    `SELECT conrelid::regclass::text AS table_name, contype, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid::regclass::text = ANY($1::text[]) ORDER BY 1, 2, 3`,
    [tables],
  );
  // Constraint-backed index names are generated (e.g. fingerprint_tracks_pkey); their definitions must agree.
  const normalised = (indexes as { indexname: string; indexdef: string }[]).map((i) => ({
    ...i,
    indexdef: i.indexdef.replace(/INDEX \S+ ON/, 'INDEX ON'),
  }));
  return { columns, indexes: normalised, constraints };
}

// The CI check for migration drift: a database built only from migrations must match the entities.
describe('schema drift', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('drift');
  });
  afterAll(() => db?.drop());

  it('migrations produce exactly the schema the entities describe', async () => {
    const pending = await pendingSchemaChanges(db.dataSource);
    if (pending.length) {
      throw new Error(
        `Entities and migrations have drifted apart. Write a migration (npm run migration:generate -- <Name>) for:\n${pending.join(';\n')}`,
      );
    }
  });

  it('every migration can be reverted', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      for (let i = 0; i < db.dataSource.migrations.length; i++) await db.dataSource.undoLastMigration();
      const tables = await runner.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
      );
      expect(tables).toEqual([]);
      await db.dataSource.runMigrations();
      expect(await pendingSchemaChanges(db.dataSource)).toEqual([]);
    } finally {
      await runner.release();
    }
  });

  it('every table has exactly one declared writing service', async () => {
    const entityTables = ENTITIES.map((e) => db.dataSource.getMetadata(e).tableName);
    const rows: { tablename: string }[] = await db.dataSource.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
    );
    const migrated = rows.map((r) => r.tablename).sort();
    // Entity tables and the tables without entities (the fingerprint index) alike.
    expect(Object.keys(TABLE_OWNERS).sort()).toEqual(migrated);
    for (const t of entityTables) expect(migrated).toContain(t);
  });

  it('the fingerprint index tables are exactly what @crateflow/fingerprint expects', async () => {
    const reference = await createEmptyDatabase('fpschema');
    const client = new Client({ connectionString: reference.url });
    try {
      await client.connect();
      await client.query(FINGERPRINT_SCHEMA_SQL);
      const expected = await describeTables(
        async (sql, params) => (await client.query(sql, params)).rows,
        FINGERPRINT_TABLES,
      );
      const actual = await describeTables((sql, params) => db.dataSource.query(sql, params), FINGERPRINT_TABLES);
      expect(actual.columns).toHaveLength(67);
      expect(actual).toEqual(expected);
    } finally {
      await client.end();
      await reference.drop();
    }
  });
});
