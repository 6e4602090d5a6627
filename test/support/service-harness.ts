import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Streams, streamName } from '@crateflow/contracts';
import { Messaging, type LiveMessage, type LiveSubscription } from '@crateflow/messaging';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService, type ServiceDefinition } from '@crateflow/service-host';

/** The NATS server tests use (the one running on this machine unless NATS_URL says otherwise). */
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Deletes the streams a test created under its own prefix (CI shares this NATS server with development). */
export async function deleteTestStreams(prefix: string, servers = NATS_URL): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of Object.values(Streams))
      await jsm.streams.delete(streamName(prefix, stream)).catch(() => undefined);
    // Key-value buckets the services share between replicas (streams named KV_<prefix>-<bucket>), such as the
    // gateway's accepted scans: a medium test that starts a gateway creates one too.
    for await (const info of jsm.streams.list())
      if (info.config.name.startsWith(`KV_${prefix}-`))
        await jsm.streams.delete(info.config.name).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** One service started in-process on the real NATS and a fresh database, with a live feed of its events. */
export interface ServiceHarness {
  prefix: string;
  db: TestDatabase;
  service: RunningService;
  /** A client of the same installation (prefix), to publish what the service consumes. */
  bus: Messaging;
  /** Every event seen on the live subscription, in arrival order. */
  seen: LiveMessage[];
  waitFor(match: (m: LiveMessage) => boolean, what: string, timeoutMs?: number): Promise<LiveMessage>;
  /** The first outcome (not `started`) a stage announced for a file. */
  outcomeOf(stage: string, fileId: string, timeoutMs?: number): Promise<LiveMessage>;
  /** Stops everything and removes the database and the streams. */
  stop(): Promise<void>;
}

export async function startServiceHarness<S extends z.ZodRawShape>(
  definition: ServiceDefinition<S>,
  options: { label: string; liveFilter?: string; env?: Record<string, string> },
): Promise<ServiceHarness> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const db = await createTestDatabase(options.label);
  let service: RunningService | undefined;
  let bus: Messaging | undefined;
  let live: LiveSubscription | undefined;
  const seen: LiveMessage[] = [];
  const stop = async () => {
    await live?.stop();
    await service?.stop();
    await bus?.close();
    await db.drop();
    await deleteTestStreams(prefix);
  };
  try {
    service = await runService(definition, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
      ...options.env,
    });
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: `${options.label}-test` });
    live = await bus.subscribeLive(options.liveFilter ?? '>', (m) => void seen.push(m));
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  const waitFor = async (match: (m: LiveMessage) => boolean, what: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = seen.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  return {
    prefix,
    db,
    service,
    bus,
    seen,
    waitFor,
    outcomeOf: (stage, fileId, timeoutMs) =>
      waitFor(
        (m) =>
          m.subject.startsWith(`file.${stage}.`) &&
          !m.subject.endsWith('.started') &&
          (m.payload as { fileId?: string }).fileId === fileId,
        `the ${stage} outcome of ${fileId}`,
        timeoutMs,
      ),
    stop,
  };
}
