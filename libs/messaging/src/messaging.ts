import {
  DeadLetterSchema,
  durableName,
  findSubject,
  streamName,
  Streams,
  Subjects,
  type ConsumerDeclaration,
  type PayloadOf,
  type SubjectDefinition,
} from '@crateflow/contracts';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import { DurableConsumer, headersOf } from './consumer';
import { InvalidPayloadError } from './errors';
import { jsonConsoleLogger, type MessagingLogger } from './logger';
import { MessagingMetrics } from './metrics';
import { openSharedBucket, type KV, type SharedBucketOptions } from './shared-state';
import {
  consumerConfigFor,
  ensureConsumer,
  ensureStream,
  streamConfigFor,
  validateConsumerDeclaration,
  type ProvisionResult,
} from './provision';
import {
  assertValidPrefix,
  concreteSubject,
  describeIssues,
  errorText,
  truncate,
  withoutPrefix,
  withPrefix,
} from './subjects';
import type {
  ConsumeOptions,
  ConsumerHandle,
  LiveMessage,
  LiveSubscription,
  MessageHandler,
  StopOptions,
} from './types';

export interface MessagingOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  url: string | string[];
  /** First subject token and stream/durable name prefix; lets installations and tests share one server. Default `crateflow`. */
  prefix?: string;
  /** Connection name shown by the NATS server, usually the service name. */
  name: string;
  /** prom-client registry for the `crateflow_` messaging metrics; a private one when omitted. */
  registry?: Registry;
  logger?: MessagingLogger;
}

export interface PublishOptions {
  /**
   * Deterministic id (e.g. `fileId:stage:contentHash`, see `messageId()` in contracts): the server
   * drops a second publish with the same id inside the 2-minute duplicate window.
   */
  msgId: string;
  /** Concrete subject (without prefix) for wildcard definitions, e.g. `dlq.metadata` for `Subjects.deadLetter`. */
  subject?: string;
  headers?: Readonly<Record<string, string>>;
  /** How long to wait for the PubAck. Default 5 s. */
  timeoutMs?: number;
}

export interface PublishResult {
  stream: string;
  seq: number;
  /** True when the server already had a message with this msgId and dropped this one. */
  duplicate: boolean;
}

export interface ProvisionReport {
  streams: Record<string, ProvisionResult>;
  consumers: Record<string, ProvisionResult>;
}

/**
 * The JetStream layer of every Crateflow app: provision streams and durable consumers from the
 * declarations in contracts, publish validated payloads with deterministic message ids, and consume
 * with bounded concurrency, retries, dead letters and graceful shutdown.
 */
export class Messaging {
  readonly metrics: MessagingMetrics;
  private readonly consumers = new Set<DurableConsumer<ConsumerDeclaration>>();
  private readonly liveSubscriptions = new Set<LiveSubscription>();
  private closing?: Promise<void>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly prefix: string,
    readonly registry: Registry,
    private readonly logger: MessagingLogger,
  ) {
    this.metrics = new MessagingMetrics(registry);
    void this.watchConnection();
  }

  static async connect(options: MessagingOptions): Promise<Messaging> {
    const prefix = options.prefix ?? 'crateflow';
    assertValidPrefix(prefix);
    const logger = options.logger ?? jsonConsoleLogger({ name: options.name });
    // A long-running service keeps trying to reconnect rather than dying when NATS restarts.
    const nc = await connect({ servers: options.url, name: options.name, maxReconnectAttempts: -1 });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    logger.info({ server: nc.getServer(), prefix }, 'connected to NATS');
    return new Messaging(nc, js, jsm, prefix, options.registry ?? new Registry(), logger);
  }

  /** False once the connection is closed or closing (for health checks). */
  isConnected(): boolean {
    return !this.nc.isClosed() && !this.nc.isDraining() && this.closing === undefined;
  }

  /**
   * Creates or updates both streams and the given durable consumers. Idempotent, and safe when several
   * replicas start at once. Each app provisions only the consumers it consumes from.
   */
  async provision(consumers: readonly ConsumerDeclaration[] = []): Promise<ProvisionReport> {
    const report: ProvisionReport = { streams: {}, consumers: {} };
    for (const stream of Object.values(Streams)) {
      const config = streamConfigFor(this.prefix, stream);
      report.streams[config.name] = await ensureStream(this.jsm, config);
    }
    for (const decl of consumers) {
      validateConsumerDeclaration(decl);
      const config = consumerConfigFor(this.prefix, decl);
      report.consumers[config.durable_name] = await ensureConsumer(this.jsm, this.streamOf(decl), config);
    }
    this.logger.info({ ...report }, 'JetStream provisioned');
    return report;
  }

  /**
   * Validates the payload against the definition's schema (an invalid payload throws InvalidPayloadError
   * and nothing is sent), publishes it with `Nats-Msg-Id: msgId` and waits for the stream's PubAck.
   */
  async publish<D extends SubjectDefinition>(
    definition: D,
    payload: PayloadOf<D>,
    options: PublishOptions,
  ): Promise<PublishResult> {
    if (!options.msgId) throw new Error(`publish on ${definition.name} needs a deterministic msgId`);
    const subject = concreteSubject(definition, options.subject);
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      // A payload that breaks its contract is a bug in the publisher: keep it for inspection in the
      // dead-letter stream (never on the event stream, where consumers would choke on it), then refuse.
      const error = describeIssues(parsed.error);
      this.logger.error({ subject, msgId: options.msgId, error }, 'refused to publish a payload that fails its schema');
      if ((definition as SubjectDefinition) !== Subjects.deadLetter) {
        await this.publish(
          Subjects.deadLetter,
          {
            subject,
            consumer: 'publish',
            deliveries: 0,
            error: truncate(error, 4000),
            data: truncate(safeJson(payload), 1_000_000),
            failedAt: new Date().toISOString(),
          },
          { subject: 'dlq.publish', msgId: `dlq:publish:${options.msgId}` },
        ).catch((e: Error) =>
          this.logger.error({ subject, error: e.message }, 'could not dead-letter the refused payload'),
        );
      }
      throw new InvalidPayloadError(subject, error);
    }
    let hdrs;
    if (options.headers) {
      hdrs = natsHeaders();
      for (const [key, value] of Object.entries(options.headers)) hdrs.set(key, value);
    }
    const ack = await this.js.publish(withPrefix(this.prefix, subject), JSON.stringify(parsed.data), {
      msgID: options.msgId,
      headers: hdrs,
      timeout: options.timeoutMs,
    });
    if (ack.duplicate)
      this.logger.debug({ subject, msgId: options.msgId, seq: ack.seq }, 'duplicate publish dropped by the server');
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Starts handling messages of a provisioned durable consumer with at most `decl.concurrency`
   * handlers at once. See the README for what each handler outcome does to the message.
   */
  async consume<C extends ConsumerDeclaration>(
    decl: C,
    handler: MessageHandler<C>,
    options: ConsumeOptions<C> = {},
  ): Promise<ConsumerHandle> {
    if (this.closing) throw new Error('messaging is closing; cannot start a consumer');
    validateConsumerDeclaration(decl);
    const consumer = new DurableConsumer<C>({
      js: this.js,
      prefix: this.prefix,
      stream: this.streamOf(decl),
      decl,
      handler,
      options,
      logger: this.logger,
      metrics: this.metrics,
      publishDeadLetter: (args) => this.publishDeadLetter(args),
      lag: () => this.consumerLag(decl),
    });
    await consumer.start();
    this.consumers.add(consumer as unknown as DurableConsumer<ConsumerDeclaration>);
    return consumer;
  }

  /** Messages waiting for a durable: not yet delivered (num_pending) plus delivered and unacknowledged (num_ack_pending). */
  async consumerLag(decl: ConsumerDeclaration): Promise<number> {
    const info = await this.jsm.consumers.info(this.streamOf(decl), durableName(this.prefix, decl));
    return info.num_pending + info.num_ack_pending;
  }

  /**
   * Delivers messages published from now on to the events stream under `filter` (no prefix; wildcards
   * allowed), for the gateway's Server-Sent Events. Uses an ordered ephemeral consumer; messages with a
   * definition in contracts are validated, invalid ones are logged and skipped.
   */
  async subscribeLive(
    filter: string,
    onMessage: (message: LiveMessage) => void | Promise<void>,
    options: { afterSequence?: number } = {},
  ): Promise<LiveSubscription> {
    if (this.closing) throw new Error('messaging is closing; cannot subscribe');
    const stream = streamName(this.prefix, Streams.events);
    // Start right after the current last message rather than deliver_policy=new: if the ordered consumer
    // has to be recreated (reconnect) before its first message, the client resumes from its cursor, and a
    // cursor that starts at 0 would replay the whole stream to the browser.
    const info = await this.jsm.streams.info(stream);
    const consumer = await this.js.consumers.get(stream, {
      filter_subjects: withPrefix(this.prefix, filter),
      opt_start_seq: liveStartSequence(info.state, options.afterSequence),
    });
    const deliver = (msg: JsMsg) => {
      const live = this.toLiveMessage(msg);
      if (!live) return;
      Promise.resolve()
        .then(() => onMessage(live))
        .catch((err) => this.logger.warn({ subject: live.subject, err }, 'live subscriber failed on a message'));
    };
    const messages = await consumer.consume({ callback: deliver });
    let stopped: Promise<void> | undefined;
    const subscription: LiveSubscription = {
      stop: () =>
        (stopped ??= (async () => {
          this.liveSubscriptions.delete(subscription);
          await messages.close();
          await consumer.delete().catch(() => undefined);
        })()),
    };
    this.liveSubscriptions.add(subscription);
    return subscription;
  }

  /**
   * A key-value bucket `<prefix>-<bucket>` (created when missing) for small state every replica of a service
   * shares, so that no answer depends on which replica a request reached (the gateway's accepted scans, the
   * proposer's LLM request budget).
   */
  keyValue(bucket: string, options: SharedBucketOptions = {}): Promise<KV> {
    return openSharedBucket(this.nc, this.prefix, bucket, options);
  }

  /**
   * Graceful shutdown: stop pulling, let in-flight handlers finish (their AbortSignal fires after
   * `graceMs`), then drain the connection so the last acks and publishes reach the server.
   */
  close(options: StopOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((c) => c.stop(options)));
      await Promise.all([...this.liveSubscriptions].map((s) => s.stop()));
      if (!this.nc.isClosed()) await this.nc.drain();
      this.logger.info({}, 'NATS connection drained and closed');
    })();
    return this.closing;
  }

  private streamOf(decl: ConsumerDeclaration): string {
    return streamName(this.prefix, Streams[decl.stream]);
  }

  private async publishDeadLetter(args: {
    decl: ConsumerDeclaration;
    msg: JsMsg;
    subject: string;
    error: string;
    deliveries: number;
  }) {
    const { decl, msg } = args;
    const deadLetter: z.infer<typeof DeadLetterSchema> = {
      subject: args.subject,
      consumer: decl.durable,
      deliveries: args.deliveries,
      error: truncate(args.error, 4000),
      data: msg.string(),
      headers: headersOf(msg),
      failedAt: new Date().toISOString(),
    };
    // One dead letter per stream message and consumer, even if giving up is retried.
    await this.publish(Subjects.deadLetter, deadLetter, {
      subject: `dlq.${decl.durable}`,
      msgId: `dlq:${durableName(this.prefix, decl)}:${msg.seq}`,
    });
  }

  private toLiveMessage(msg: JsMsg): LiveMessage | undefined {
    const subject = withoutPrefix(this.prefix, msg.subject) ?? msg.subject;
    const definition = findSubject(subject);
    let payload: unknown;
    try {
      payload = JSON.parse(msg.string());
    } catch (err) {
      this.logger.warn({ subject, seq: msg.seq, err: errorText(err) }, 'live message is not JSON; skipped');
      return undefined;
    }
    if (definition) {
      const parsed = definition.schema.safeParse(payload);
      if (!parsed.success) {
        this.logger.warn(
          { subject, seq: msg.seq, err: describeIssues(parsed.error) },
          'live message does not match its schema; skipped',
        );
        return undefined;
      }
      payload = parsed.data;
    }
    return { subject, definition, payload, streamSequence: msg.seq, publishedAt: msg.time };
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'error':
          this.logger.warn({ err: status.error }, 'NATS server reported an error');
          break;
        case 'slowConsumer':
          this.logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'NATS slow consumer');
          break;
        case 'reconnect':
          this.logger.info({ server: status.server }, 'reconnected to NATS');
          break;
        default:
          this.logger.debug({ status: status.type }, 'NATS connection status');
      }
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A resumed live feed replays at most this many stream messages; older ones are beyond a browser's use. */
export const MAX_LIVE_REPLAY = 10_000;

/**
 * Where a live feed starts: right after `afterSequence` (a client resuming with Last-Event-ID: stream
 * sequences are the same on every gateway replica, so it may resume on another one), within the messages
 * the stream still holds and at most MAX_LIVE_REPLAY back; otherwise after the last message.
 */
export function liveStartSequence(
  state: { first_seq: number; last_seq: number },
  afterSequence: number | undefined,
): number {
  const next = state.last_seq + 1;
  if (afterSequence === undefined || !Number.isSafeInteger(afterSequence) || afterSequence < 0) return next;
  if (afterSequence >= state.last_seq) return next;
  return Math.max(afterSequence + 1, state.first_seq, next - MAX_LIVE_REPLAY);
}
