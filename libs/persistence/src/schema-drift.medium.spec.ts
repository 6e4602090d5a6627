import { TABLE_OWNERS } from '@crateflow/contracts';
import { ENTITIES } from './entities';
import { pendingSchemaChanges } from './data-source';
import { createTestDatabase, type TestDatabase } from './testing';

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

  it('every table has exactly one declared writing service', () => {
    const tables = ENTITIES.map((e) => db.dataSource.getMetadata(e).tableName).sort();
    const owned = Object.keys(TABLE_OWNERS)
      .filter((t) => tables.includes(t))
      .sort();
    expect(owned).toEqual(tables);
  });
});
