import 'reflect-metadata';
import { Global, Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { consumersOf, type ConsumerDeclaration, type ServiceName, type SubjectDefinition } from '@crateflow/contracts';
import { ConfigError, commonConfigShape, configHelpers, loadConfig } from '@crateflow/config';
import { Messaging, type ConsumerHandle, type ConsumeOptions, type MessageHandler } from '@crateflow/messaging';
import { createLogger, createMetricsRegistry, maskUrl, type HealthCheck, type Logger } from '@crateflow/observability';
import { createDataSource, runMigrations } from '@crateflow/persistence';
import { NestPinoLogger } from './nest-logger';
import { HEALTH_CHECKS, OpsController } from './ops.controller';
import { CONFIG, LOGGER, MESSAGING, METRICS, SERVICE_NAME } from './tokens';

/** Default HTTP port (health, metrics; the gateway's API) of each service, overridable with HTTP_PORT. */
export const DEFAULT_HTTP_PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  ingest: 3101,
  metadata: 3102,
  fingerprint: 3103,
  analysis: 3104,
  proposer: 3105,
  executor: 3106,
  tracklists: 3107,
};

/** One JetStream consumer an app handles, with the handler and what to do when a message is given up. */
export interface Subscription<C extends ConsumerDeclaration = ConsumerDeclaration> {
  consumer: C;
  handle: MessageHandler<C>;
  onDeadLetter?: ConsumeOptions<C>['onDeadLetter'];
}

/**
 * Declares a subscription: the consumer declaration from contracts and a handler typed by that consumer's
 * payloads (`ctx.payload` is the union of the payloads of `consumer.handles`, narrowed by `ctx.definition`),
 * so a handler needs no casts. The result fits `MessageSubscriber.subscriptions()`.
 *
 *   subscribe(Consumers.ingestScans, { handle: async (ctx) => scan(ctx.payload.scanId, ctx.payload.path) })
 */
export function subscribe<C extends ConsumerDeclaration>(
  consumer: C,
  handlers: { handle: MessageHandler<C>; onDeadLetter?: ConsumeOptions<C>['onDeadLetter'] },
): Subscription {
  return { consumer, ...handlers } as unknown as Subscription;
}

/**
 * True when a message arrived on `definition`'s subject; narrows the context, its payload above all, to that
 * subject, for a handler of a consumer with several subjects:
 *
 *   if (isSubject(ctx, Subjects.executionPlanRequested)) return plan(ctx.payload);
 */
export function isSubject<Ctx extends { readonly definition: SubjectDefinition }, D extends SubjectDefinition>(
  ctx: Ctx,
  definition: D,
): ctx is Extract<Ctx, { readonly definition: D }> {
  return ctx.definition === definition;
}

/**
 * Why a service would not start: the consumers it provisions (its declarations in contracts) and the handlers
 * it subscribes must be the same set, so no declared consumer fills up unread and no handler listens on a
 * consumer nobody provisioned. Returns the problems, empty when the wiring is right.
 */
export function wiringProblems(service: ServiceName, subscriptions: readonly Subscription[]): string[] {
  const declared = new Set(consumersOf(service).map((c) => c.durable));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of subscriptions) {
    if (seen.has(s.consumer.durable)) problems.push(`consumer ${s.consumer.durable} is subscribed twice`);
    seen.add(s.consumer.durable);
    if (s.consumer.service !== service)
      problems.push(`consumer ${s.consumer.durable} belongs to ${s.consumer.service}, not ${service}`);
    else if (!declared.has(s.consumer.durable))
      problems.push(`consumer ${s.consumer.durable} is handled but not declared in contracts`);
  }
  for (const d of declared)
    if (!seen.has(d)) problems.push(`consumer ${d} is declared for ${service} but has no handler`);
  return problems;
}

/** Implemented by an app's handler class; the host starts its subscriptions once the app is up. */
export interface MessageSubscriber {
  subscriptions(): Subscription[];
}

export type CommonConfig = z.infer<z.ZodObject<typeof commonConfigShape>> & { HTTP_PORT: number };

export interface ServiceDefinition<S extends z.ZodRawShape> {
  name: ServiceName;
  /** The app's own settings, merged with the common ones. */
  configShape: S;
  /** The app's Nest module (wiring only). */
  module: Type<unknown>;
  /** Provider classes of the module that implement MessageSubscriber. */
  subscribers?: Type<MessageSubscriber>[];
  /** Runs migrations before starting (the gateway and the local runner do; stages rely on that). */
  migrate?: boolean;
  /** Configure the Nest application before it listens (middleware, global filters, CORS...). */
  configureApp?: (app: INestApplication, config: CommonConfig & z.infer<z.ZodObject<S>>) => void | Promise<void>;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  stop(): Promise<void>;
}

async function withRetries<T>(what: string, logger: Logger, fn: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts) throw e;
      logger.warn({ attempt: i, error: (e as Error).message }, `${what} not reachable yet; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(i, 5))));
    }
  }
}

/**
 * Starts a Crateflow service: validated configuration, logger, metrics, database, messaging with its
 * consumers provisioned, the Nest app with /health and /metrics, and a graceful shutdown on SIGTERM/SIGINT
 * (stop pulling, finish in-flight work, drain, close).
 */
export async function runService<S extends z.ZodRawShape>(
  def: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  type Config = CommonConfig & z.infer<z.ZodObject<S>>;
  let config: Config;
  try {
    config = loadConfig(
      def.name,
      { ...commonConfigShape, HTTP_PORT: commonPort(def.name), ...def.configShape },
      env,
    ) as unknown as Config;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger(def.name, config.LOG_LEVEL);
  const registry = createMetricsRegistry(def.name);

  const dataSource: DataSource = createDataSource({
    url: config.DATABASE_URL,
    applicationName: `crateflow-${def.name}`,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  await withRetries(`PostgreSQL at ${maskUrl(config.DATABASE_URL)}`, logger, () => dataSource.initialize());
  if (def.migrate) {
    const ran = await runMigrations(dataSource);
    if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
  }

  const messaging = await withRetries(`NATS at ${config.NATS_URL}`, logger, () =>
    Messaging.connect({
      url: config.NATS_URL,
      prefix: config.NATS_PREFIX,
      name: `crateflow-${def.name}`,
      registry,
      logger,
    }),
  );
  const declared = <C extends ConsumerDeclaration>(c: C): C =>
    config.NATS_ACK_WAIT_MS ? { ...c, ackWaitMs: config.NATS_ACK_WAIT_MS } : c;
  await messaging.provision(consumersOf(def.name).map(declared));

  const healthChecks: HealthCheck[] = [
    { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) },
    {
      name: 'nats',
      check: async () => {
        if (!messaging.isConnected()) throw new Error('not connected');
      },
    },
  ];

  @Global()
  @Module({
    providers: [
      { provide: SERVICE_NAME, useValue: def.name },
      { provide: CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      { provide: METRICS, useValue: registry },
      { provide: MESSAGING, useValue: messaging },
      { provide: 'DataSource', useValue: dataSource },
      { provide: HEALTH_CHECKS, useValue: healthChecks },
    ],
    exports: [SERVICE_NAME, CONFIG, LOGGER, METRICS, MESSAGING, 'DataSource', HEALTH_CHECKS],
  })
  class HostGlobalsModule {}

  @Module({ imports: [HostGlobalsModule, def.module], controllers: [OpsController] })
  class HostModule {}

  const app = await NestFactory.create(HostModule as unknown as DynamicModule, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.enableShutdownHooks = () => app; // shutdown is ours (ordering matters), not Nest's
  await def.configureApp?.(app, config);
  await app.init();
  const subscriptions = (def.subscribers ?? []).flatMap((t) => app.get(t).subscriptions());
  const problems = wiringProblems(def.name, subscriptions);
  if (problems.length) {
    await app.close().catch(() => undefined);
    await messaging.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    throw new Error(`${def.name} refuses to start: its wiring is wrong:\n  ${problems.join('\n  ')}`);
  }

  // Listen first: a process that cannot serve /health must not take messages it would then abandon.
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  const url = `http://${config.HTTP_HOST}:${port}`;

  const handles: ConsumerHandle[] = [];
  for (const s of subscriptions) {
    handles.push(
      await messaging.consume(declared(s.consumer), s.handle as never, { onDeadLetter: s.onDeadLetter as never }),
    );
  }
  logger.info({ url, consumers: handles.map((h) => h.durable) }, `${def.name} started`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: stopping consumers and finishing in-flight work');
      await Promise.allSettled(handles.map((h) => h.stop({ graceMs: config.SHUTDOWN_GRACE_MS })));
      await messaging.close().catch((e: Error) => logger.warn({ error: e.message }, 'closing NATS failed'));
      await app.close().catch(() => undefined);
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      logger.info('stopped');
    })());
  const onSignal = (signal: string) => {
    logger.info({ signal }, 'signal received');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { app, url, stop };
}

function commonPort(name: ServiceName) {
  return configHelpers.port(DEFAULT_HTTP_PORTS[name]);
}

/** Runs a service as the process's main function, printing start-up failures readably. */
export function main<S extends z.ZodRawShape>(def: ServiceDefinition<S>): void {
  runService(def).catch((e: Error) => {
    process.stderr.write(`${def.name} failed to start: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
