import 'reflect-metadata';
import { ConfigError, commonConfigShape, loadConfig } from '@crateflow/config';
import { createLogger, maskUrl } from '@crateflow/observability';
import { createDataSource, runMigrations } from '@crateflow/persistence';

/**
 * Applies the database migrations and exits: the one-off step compose (`migrate` service) and Helm (a
 * pre-install/pre-upgrade Job) run before any stage starts. Exit 0 when the schema is current, 1 when a
 * migration failed (the stages then never start on a half-migrated schema), 78 on bad settings.
 */
async function main(): Promise<void> {
  let config: Pick<ReturnType<typeof loadCommon>, 'DATABASE_URL' | 'LOG_LEVEL'>;
  try {
    config = loadCommon();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger('migrate', config.LOG_LEVEL);
  const dataSource = createDataSource({ url: config.DATABASE_URL, applicationName: 'crateflow-migrate', poolSize: 2 });
  try {
    await dataSource.initialize();
    const ran = await runMigrations(dataSource);
    logger.info(
      { migrations: ran, database: maskUrl(config.DATABASE_URL) },
      ran.length ? 'migrations applied' : 'schema is current',
    );
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

function loadCommon() {
  return loadConfig('migrate', {
    DATABASE_URL: commonConfigShape.DATABASE_URL,
    LOG_LEVEL: commonConfigShape.LOG_LEVEL,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`migrations failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
