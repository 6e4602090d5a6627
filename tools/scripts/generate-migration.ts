import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTestDatabase } from '@crateflow/persistence/src/testing';

/**
 * Writes a migration with the SQL that brings a database built from the existing migrations in line with
 * the entities (what the drift test reports), into libs/persistence/src/migrations. Review it, add it to
 * MIGRATIONS, and add by hand what entities cannot describe (tables without an entity, INCLUDE indexes).
 *
 *   npm run migration:generate -- FingerprintIndex
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error('usage: npm run migration:generate -- <PascalCaseName>');
    process.exit(2);
  }
  const db = await createTestDatabase('generate');
  try {
    const builder = db.dataSource.driver.createSchemaBuilder();
    const sql = await builder.log();
    if (sql.upQueries.length === 0) {
      console.log('Entities and migrations agree: nothing to generate.');
      return;
    }
    const stamp = Date.now();
    const className = `${name}${stamp}`;
    const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const file = path.join(__dirname, '..', '..', 'libs', 'persistence', 'src', 'migrations', `${stamp}-${kebab}.ts`);
    const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const up = sql.upQueries.map((x) => `    await q.query(${q(x.query)});`).join('\n');
    const down = [...sql.downQueries]
      .reverse()
      .map((x) => `    await q.query(${q(x.query)});`)
      .join('\n');
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TODO: say what this migration is for. */
export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(q: QueryRunner): Promise<void> {
${up}
  }

  public async down(q: QueryRunner): Promise<void> {
${down}
  }
}
`,
    );
    console.log(
      `wrote ${path.relative(process.cwd(), file)} (${sql.upQueries.length} statements); add it to MIGRATIONS`,
    );
  } finally {
    await db.drop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
