import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import {
  durableName,
  streamName,
  Streams,
  type ConsumerDeclaration,
  type StreamDeclaration,
} from '@crateflow/contracts';
import { withPrefix } from './subjects';

/** Publishes with the same Nats-Msg-Id inside this window are dropped by the server. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/**
 * The server-wide cap on delivered-but-unacknowledged messages of one durable. Each replica already
 * pulls only as many messages as it has free handler slots, so this cap only has to leave room for
 * every replica KEDA may start; it never falls below the declared concurrency.
 */
export const MIN_MAX_ACK_PENDING = 1000;

const STREAM_CODE_NAME_IN_USE = 10058;

export type ProvisionResult = 'created' | 'updated' | 'unchanged';

export function streamConfigFor(prefix: string, stream: StreamDeclaration): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(prefix, stream),
    subjects: stream.subjects.map((s) => withPrefix(prefix, s)),
    description: stream.description,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(stream.maxAgeMs),
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, stream.maxAgeMs)),
  };
}

export function consumerConfigFor(
  prefix: string,
  decl: ConsumerDeclaration,
): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: durableName(prefix, decl),
    description: `${decl.service}: ${decl.handles.map((h) => h.name).join(', ')}`.slice(0, 4000),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(decl.ackWaitMs),
    max_deliver: decl.maxDeliver,
    // NATS 2.9 has no multi-filter consumers: one filter subject per durable.
    filter_subject: withPrefix(prefix, decl.filter),
    max_ack_pending: Math.max(MIN_MAX_ACK_PENDING, decl.concurrency),
  };
}

export function validateConsumerDeclaration(decl: ConsumerDeclaration): void {
  const problems: string[] = [];
  if (!(decl.ackWaitMs >= 1000)) problems.push(`ackWaitMs must be at least 1000 (got ${decl.ackWaitMs})`);
  if (!(Number.isInteger(decl.maxDeliver) && decl.maxDeliver >= 1))
    problems.push(`maxDeliver must be a positive integer (got ${decl.maxDeliver})`);
  if (!(Number.isInteger(decl.concurrency) && decl.concurrency >= 1))
    problems.push(`concurrency must be a positive integer (got ${decl.concurrency})`);
  if (decl.retryDelaysMs.some((d) => !(d >= 0))) problems.push('retryDelaysMs must be non-negative');
  if (decl.handles.length === 0) problems.push('handles must name at least one subject');
  if (!Streams[decl.stream]) problems.push(`unknown stream ${String(decl.stream)}`);
  if (problems.length) throw new Error(`consumer declaration ${decl.durable} is invalid: ${problems.join('; ')}`);
}

/** Creates the stream, or updates the settings we manage when they differ. Safe to run from many replicas at once. */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<ProvisionResult> {
  for (let attempt = 0; ; attempt++) {
    const existing = await streamInfoOrNull(jsm, config.name);
    if (!existing) {
      try {
        await jsm.streams.add(config);
        return 'created';
      } catch (err) {
        // Another replica created it between our info and add, with a different config: update below.
        if (attempt < 2 && err instanceof JetStreamApiError && err.code === STREAM_CODE_NAME_IN_USE) continue;
        throw err;
      }
    }
    if (!streamDiffers(existing, config)) return 'unchanged';
    const { name: _name, storage: _storage, retention: _retention, ...mutable } = config;
    if (existing.config.storage !== config.storage || existing.config.retention !== config.retention) {
      throw new Error(
        `stream ${config.name} exists with storage=${existing.config.storage} retention=${existing.config.retention}; ` +
          `Crateflow needs storage=${config.storage} retention=${config.retention}, which NATS cannot change in place. ` +
          'Back up and delete the stream, then start again.',
      );
    }
    await jsm.streams.update(config.name, mutable);
    return 'updated';
  }
}

/** Creates the durable consumer, or updates it when its settings differ from the declaration. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<ProvisionResult> {
  const existing = await consumerInfoOrNull(jsm, stream, config.durable_name);
  if (!existing) {
    // Creating an identical durable twice succeeds, so replicas starting together do not collide.
    await jsm.consumers.add(stream, config);
    return 'created';
  }
  if (!consumerDiffers(existing, config)) return 'unchanged';
  const {
    durable_name: _durable,
    deliver_policy: _deliver,
    replay_policy: _replay,
    ack_policy: _ack,
    ...mutable
  } = config;
  await jsm.consumers.update(stream, config.durable_name, mutable);
  return 'updated';
}

async function streamInfoOrNull(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return null;
    throw err;
  }
}

async function consumerInfoOrNull(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return null;
    throw err;
  }
}

function streamDiffers(existing: StreamInfo, wanted: Partial<StreamConfig>): boolean {
  const have = existing.config;
  return (
    have.max_age !== wanted.max_age ||
    have.duplicate_window !== wanted.duplicate_window ||
    have.storage !== wanted.storage ||
    have.retention !== wanted.retention ||
    (have.description ?? '') !== (wanted.description ?? '') ||
    !sameSet(have.subjects ?? [], wanted.subjects ?? [])
  );
}

function consumerDiffers(existing: ConsumerInfo, wanted: Partial<ConsumerConfig>): boolean {
  const have = existing.config;
  return (
    have.ack_wait !== wanted.ack_wait ||
    have.max_deliver !== wanted.max_deliver ||
    have.filter_subject !== wanted.filter_subject ||
    have.max_ack_pending !== wanted.max_ack_pending ||
    have.ack_policy !== wanted.ack_policy ||
    (have.description ?? '') !== (wanted.description ?? '')
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
