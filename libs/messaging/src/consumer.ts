import { durableName, matchSubject, type ConsumerDeclaration, type SubjectDefinition } from '@crateflow/contracts';
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { PermanentError, TransientError } from './errors';
import type { MessagingLogger } from './logger';
import type { MessageOutcome, MessagingMetrics } from './metrics';
import { describeIssues, errorText, fileIdOf, retryDelayFor, withoutPrefix } from './subjects';
import type {
  ConsumeOptions,
  ConsumerHandle,
  DeadLetterEvent,
  DeadLetterReason,
  HandlerContext,
  MessageHandler,
  StopOptions,
} from './types';

/** Publishes the dead letter for a message; provided by Messaging (it owns publish and the prefix). */
export type DeadLetterPublisher = (args: {
  decl: ConsumerDeclaration;
  msg: JsMsg;
  subject: string;
  error: string;
  deliveries: number;
}) => Promise<void>;

export interface DurableConsumerDeps<C extends ConsumerDeclaration> {
  js: JetStreamClient;
  prefix: string;
  stream: string;
  decl: C;
  handler: MessageHandler<C>;
  options: ConsumeOptions<C>;
  logger: MessagingLogger;
  metrics: MessagingMetrics;
  publishDeadLetter: DeadLetterPublisher;
  /** num_pending + num_ack_pending of the durable. */
  lag: () => Promise<number>;
}

const DEFAULT_GRACE_MS = 25_000;
const DEFAULT_ABORT_WAIT_MS = 5_000;
const DEFAULT_LAG_INTERVAL_MS = 15_000;
const DEFAULT_PULL_EXPIRES_MS = 30_000;
const MAX_PULL_BACKOFF_MS = 30_000;

/**
 * One durable pull consumer with bounded concurrency.
 *
 * It pulls with `fetch({ max_messages: free slots })`, so a replica never holds more messages than it
 * can start handling at once: nothing waits in a client-side buffer while its ack_wait runs down.
 * Each message is handled without blocking the pull loop; the loop asks for more as slots free up.
 */
export class DurableConsumer<C extends ConsumerDeclaration> implements ConsumerHandle {
  readonly durable: string;
  private readonly stage: string;
  private consumer?: Consumer;
  private batch?: ConsumerMessages;
  private readonly inFlightJobs = new Set<Promise<void>>();
  private stopping = false;
  private stopped?: Promise<void>;
  private loop?: Promise<void>;
  /** Resolves the pull loop's wait for a free slot; called when a handler finishes or on stop. */
  private slotFreed: () => void = () => undefined;
  private readonly stopPulling = new AbortController();
  private lagTimer?: NodeJS.Timeout;
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: DurableConsumerDeps<C>) {
    this.durable = durableName(deps.prefix, deps.decl);
    this.stage = deps.decl.durable;
  }

  get inFlight(): number {
    return this.inFlightJobs.size;
  }

  async start(): Promise<void> {
    try {
      this.consumer = await this.deps.js.consumers.get(this.deps.stream, this.durable);
    } catch (err) {
      throw new Error(
        `durable consumer ${this.durable} on stream ${this.deps.stream} is not available (${errorText(err)}); ` +
          'call provision() with its declaration first',
        { cause: err },
      );
    }
    this.loop = this.pullLoop();
    const lagInterval = this.deps.options.lagIntervalMs ?? DEFAULT_LAG_INTERVAL_MS;
    this.lagTimer = setInterval(() => void this.refreshLag(), lagInterval);
    this.lagTimer.unref();
    void this.refreshLag();
    this.deps.logger.info(
      { stage: this.stage, durable: this.durable, concurrency: this.deps.decl.concurrency },
      'consumer started',
    );
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.doStop(options);
    return this.stopped;
  }

  private async doStop({
    graceMs = DEFAULT_GRACE_MS,
    abortWaitMs = DEFAULT_ABORT_WAIT_MS,
  }: StopOptions): Promise<void> {
    const { logger } = this.deps;
    this.stopping = true;
    clearInterval(this.lagTimer);
    this.stopPulling.abort();
    this.slotFreed();
    await this.batch?.close();
    await this.loop;

    if (!(await this.settleWithin(graceMs))) {
      logger.warn(
        { stage: this.stage, inFlight: this.inFlight, graceMs },
        'handlers still running after the grace period; aborting them',
      );
      this.shutdown.abort(new Error('shutting down'));
      if (!(await this.settleWithin(abortWaitMs))) {
        logger.error(
          { stage: this.stage, inFlight: this.inFlight },
          'handlers ignored the abort signal; their messages will be redelivered after ack_wait',
        );
      }
    }
    logger.info({ stage: this.stage, durable: this.durable }, 'consumer stopped');
  }

  private async settleWithin(ms: number): Promise<boolean> {
    if (this.inFlightJobs.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const settled = Promise.allSettled([...this.inFlightJobs]).then(() => true);
    const result = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    return result;
  }

  private async pullLoop(): Promise<void> {
    const { decl, logger } = this.deps;
    const expires = this.deps.options.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS;
    let failures = 0;
    while (!this.stopping) {
      await this.slotFree();
      if (this.stopping) break;
      const free = decl.concurrency - this.inFlightJobs.size;
      try {
        this.batch = await this.consumer!.fetch({ max_messages: free, expires });
        for await (const msg of this.batch) {
          if (this.stopping) {
            // Pulled while shutting down: hand it straight back so another replica takes it now.
            msg.nak();
            continue;
          }
          this.dispatch(msg);
        }
        failures = 0;
      } catch (err) {
        if (this.stopping) break;
        failures++;
        const backoffMs = Math.min(MAX_PULL_BACKOFF_MS, 250 * 2 ** failures);
        logger.warn({ stage: this.stage, err, backoffMs }, 'pulling messages failed; retrying');
        await this.pause(backoffMs);
      } finally {
        this.batch = undefined;
      }
    }
  }

  /** Resolves when a handler slot is free or the consumer is stopping. */
  private async slotFree(): Promise<void> {
    while (!this.stopping && this.inFlightJobs.size >= this.deps.decl.concurrency) {
      await new Promise<void>((resolve) => (this.slotFreed = resolve));
    }
  }

  /** Waits before the next pull after an error; only stop() cuts it short. */
  private async pause(ms: number): Promise<void> {
    const signal = this.stopPulling.signal;
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  private dispatch(msg: JsMsg): void {
    const job: Promise<void> = this.handle(msg)
      .catch((err) =>
        this.deps.logger.error({ stage: this.stage, err, seq: msg.seq }, 'unexpected error while handling a message'),
      )
      .finally(() => {
        this.inFlightJobs.delete(job);
        this.slotFreed();
      });
    this.inFlightJobs.add(job);
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { metrics } = this.deps;
    const labels = { stage: this.stage };
    metrics.inFlight.inc(labels);
    const stopTimer = metrics.handlingSeconds.startTimer(labels);
    let outcome: MessageOutcome | undefined;
    try {
      outcome = await this.process(msg);
    } finally {
      metrics.inFlight.dec(labels);
      stopTimer();
      if (outcome) metrics.processed.inc({ ...labels, outcome });
    }
  }

  private async process(msg: JsMsg): Promise<MessageOutcome> {
    const { decl, prefix, logger } = this.deps;
    const deliveries = msg.info.deliveryCount;
    const seq = msg.seq;
    const subject = withoutPrefix(prefix, msg.subject) ?? msg.subject;
    const definition = decl.handles.find((d) => matchSubject(d.name, subject));
    if (!definition) {
      msg.ack();
      logger.debug({ stage: this.stage, subject, seq }, 'subject not handled by this stage; acknowledged and ignored');
      return 'ignored';
    }

    // Long jobs stay ours: JetStream would redeliver after ack_wait without a sign of life. This also covers
    // giving up, since onDeadLetter may write to a database.
    const heartbeat = setInterval(() => msg.working(), Math.max(decl.ackWaitMs / 3, 100));
    try {
      return await this.validateAndHandle(msg, subject, definition, deliveries);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async validateAndHandle(
    msg: JsMsg,
    subject: string,
    definition: SubjectDefinition,
    deliveries: number,
  ): Promise<MessageOutcome> {
    const { decl, logger } = this.deps;
    const seq = msg.seq;
    let payload: unknown;
    try {
      payload = parsePayload(definition, msg);
    } catch (err) {
      logger.warn(
        { stage: this.stage, subject, seq, deliveries, err: errorText(err) },
        'invalid payload; dead-lettering it',
      );
      return await this.giveUp(msg, {
        subject,
        definition,
        payload: undefined,
        cause: err,
        deliveries,
        reason: 'invalid_payload',
      });
    }

    const fileId = fileIdOf(payload);
    const isLastDelivery = deliveries >= decl.maxDeliver;
    try {
      const ctx = {
        subject,
        definition,
        payload,
        deliveryCount: deliveries,
        isLastDelivery,
        streamSequence: seq,
        working: () => msg.working(),
        signal: this.shutdown.signal,
        headers: headersOf(msg),
      } as HandlerContext as Parameters<MessageHandler<C>>[0];
      await this.deps.handler(ctx);
    } catch (err) {
      const error = errorText(err);
      // Whatever a handler throws while its work is being cut short by a shutdown is no verdict: a child it
      // killed, a read it aborted. The message goes back, first delivery or last, and is handled again.
      if (this.shutdown.signal.aborted) {
        msg.nak();
        logger.info(
          { stage: this.stage, subject, seq, fileId, err: error },
          'handler interrupted by shutdown; message handed back',
        );
        return 'nak';
      }
      if (err instanceof PermanentError) {
        logger.warn(
          { stage: this.stage, subject, seq, fileId, deliveries, err: error },
          'permanent failure; dead-lettering',
        );
        return await this.giveUp(msg, {
          subject,
          definition,
          payload,
          cause: err,
          deliveries,
          reason: 'permanent_error',
        });
      }
      if (isLastDelivery) {
        logger.warn(
          { stage: this.stage, subject, seq, fileId, deliveries, err: error },
          'failed on the last delivery; dead-lettering',
        );
        return await this.giveUp(msg, { subject, definition, payload, cause: err, deliveries, reason: 'max_deliver' });
      }
      const delayMs =
        err instanceof TransientError && err.delayMs !== undefined
          ? err.delayMs
          : retryDelayFor(decl.retryDelaysMs, deliveries);
      // The consumer `backoff` setting covers ack timeouts only, so the delay goes with the nak itself.
      msg.nak(delayMs);
      logger.warn(
        { stage: this.stage, subject, seq, fileId, deliveries, delayMs, err: error },
        'handler failed; retrying later',
      );
      return 'nak';
    }
    msg.ack();
    logger.debug({ stage: this.stage, subject, seq, fileId, deliveries }, 'handled');
    return 'ack';
  }

  /**
   * Dead-letters a message: publish it to `<prefix>.dlq.<durable>`, tell the stage, then `term()` it.
   * If either step fails while deliveries remain, the message is retried later instead, so nothing is lost.
   */
  private async giveUp(
    msg: JsMsg,
    event: {
      subject: string;
      definition: SubjectDefinition;
      payload: unknown;
      cause: unknown;
      deliveries: number;
      reason: DeadLetterReason;
    },
  ): Promise<MessageOutcome> {
    const { decl, logger, options } = this.deps;
    const error = errorText(event.cause);
    const isLastDelivery = event.deliveries >= decl.maxDeliver;
    const fileId = fileIdOf(event.payload);
    const retryLater = (step: string, err: unknown): MessageOutcome => {
      const delayMs = retryDelayFor(decl.retryDelaysMs, event.deliveries);
      msg.nak(delayMs);
      logger.error(
        { stage: this.stage, subject: event.subject, seq: msg.seq, fileId, err, delayMs },
        `${step} failed; retrying the message later`,
      );
      return 'nak';
    };

    try {
      await this.deps.publishDeadLetter({ decl, msg, subject: event.subject, error, deliveries: event.deliveries });
    } catch (err) {
      if (!isLastDelivery) return retryLater('publishing the dead letter', err);
      logger.error(
        { stage: this.stage, subject: event.subject, seq: msg.seq, fileId, err, data: msg.string().slice(0, 2000) },
        'publishing the dead letter failed on the last delivery; the message stays in the stream unacknowledged',
      );
    }
    if (options.onDeadLetter) {
      try {
        await options.onDeadLetter({ ...event, decl, error } as unknown as DeadLetterEvent<C>);
      } catch (err) {
        if (!isLastDelivery) return retryLater('onDeadLetter', err);
        logger.error(
          { stage: this.stage, subject: event.subject, seq: msg.seq, fileId, err },
          'onDeadLetter failed on the last delivery',
        );
      }
    }
    // term() without a reason: NATS 2.9 treats `+TERM <reason>` as unknown and redelivers the message.
    msg.term();
    return event.reason === 'invalid_payload' ? 'invalid' : 'dead_letter';
  }

  private async refreshLag(): Promise<void> {
    try {
      this.deps.metrics.consumerLag.set({ stage: this.stage }, await this.deps.lag());
    } catch (err) {
      if (!this.stopping) this.deps.logger.debug({ stage: this.stage, err }, 'could not read consumer lag');
    }
  }
}

class InvalidJsonError extends Error {
  override readonly name = 'InvalidJsonError';
}

class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
}

function parsePayload(definition: SubjectDefinition, msg: JsMsg): unknown {
  let json: unknown;
  try {
    json = JSON.parse(msg.string());
  } catch (err) {
    throw new InvalidJsonError(`payload is not JSON (${(err as Error).message})`);
  }
  const result = definition.schema.safeParse(json);
  if (!result.success)
    throw new SchemaMismatchError(`payload does not match ${definition.name}: ${describeIssues(result.error)}`);
  return result.data;
}

export function headersOf(msg: { headers?: { keys(): string[]; get(k: string): string } }): Record<string, string> {
  const out: Record<string, string> = {};
  if (!msg.headers) return out;
  for (const key of msg.headers.keys()) out[key] = msg.headers.get(key);
  return out;
}
