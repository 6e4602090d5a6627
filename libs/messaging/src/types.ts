import type { ConsumerDeclaration, PayloadOf, SubjectDefinition } from '@crateflow/contracts';

/**
 * What a handler receives for one delivery. Distributes over the declaration's subjects, so for
 * `Consumers.metadata` the payload is the FileIngested payload, typed.
 */
export type HandlerContext<D extends SubjectDefinition = SubjectDefinition> = D extends SubjectDefinition
  ? {
      /** The subject without the installation prefix, e.g. `file.ingest.discovered`. */
      readonly subject: string;
      readonly definition: D;
      /** The payload, already validated against the definition's schema. */
      readonly payload: PayloadOf<D>;
      /** 1 on the first delivery. */
      readonly deliveryCount: number;
      /** True when a failure now dead-letters the message instead of retrying it. */
      readonly isLastDelivery: boolean;
      readonly streamSequence: number;
      /** Tells JetStream the job is alive (called automatically every ackWait/3 while the handler runs). */
      working(): void;
      /** Aborted when the process shuts down and the grace period is over: stop work and throw. */
      readonly signal: AbortSignal;
      readonly headers: Readonly<Record<string, string>>;
    }
  : never;

/** The context type for a consumer declaration, e.g. `ContextOf<typeof Consumers.metadata>`. */
export type ContextOf<C extends ConsumerDeclaration> = HandlerContext<C['handles'][number]>;

export type MessageHandler<C extends ConsumerDeclaration> = (ctx: ContextOf<C>) => Promise<void> | void;

export type DeadLetterReason = 'invalid_payload' | 'permanent_error' | 'max_deliver';

/** Told to the stage when it gives up on a message, so it can record `failed` with the error text. */
export interface DeadLetterEvent<C extends ConsumerDeclaration = ConsumerDeclaration> {
  readonly decl: C;
  /** The subject without the prefix. */
  readonly subject: string;
  readonly definition: C['handles'][number];
  /** The validated payload; undefined when the payload itself was invalid. */
  readonly payload?: PayloadOf<C['handles'][number]>;
  /** Readable error text (`Name: message`), as written to the dead letter. */
  readonly error: string;
  /** What the handler threw (or the parse/validation error). */
  readonly cause: unknown;
  readonly deliveries: number;
  readonly reason: DeadLetterReason;
}

export interface ConsumeOptions<C extends ConsumerDeclaration> {
  /**
   * Called once when a message is dead-lettered, before it is terminated. If it throws and the
   * message still has deliveries left, the message is retried later instead (the dead letter is
   * deduplicated), so a database outage does not lose the `failed` record.
   */
  onDeadLetter?: (event: DeadLetterEvent<C>) => Promise<void> | void;
  /** How often `crateflow_consumer_lag` is refreshed. Default 15 s. */
  lagIntervalMs?: number;
  /** Lifetime of one pull request when no message arrives. Default 30 s (NATS minimum 1 s). */
  pullExpiresMs?: number;
}

export interface StopOptions {
  /** How long in-flight handlers may finish before their AbortSignal fires. Default 25 s. */
  graceMs?: number;
  /** How long to wait after aborting before giving up on a handler (its message is redelivered later). Default 5 s. */
  abortWaitMs?: number;
}

export interface ConsumerHandle {
  readonly durable: string;
  /** Messages being handled right now. */
  readonly inFlight: number;
  /** Stops pulling, lets in-flight handlers finish (bounded), then returns. */
  stop(options?: StopOptions): Promise<void>;
}

export interface LiveMessage {
  /** The subject without the prefix. */
  readonly subject: string;
  /** Undefined for a subject without a declaration in contracts. */
  readonly definition?: SubjectDefinition;
  /** Validated when the subject has a definition; otherwise the parsed JSON. */
  readonly payload: unknown;
  readonly streamSequence: number;
  readonly publishedAt: Date;
}

export interface LiveSubscription {
  /** True when a resume was asked for but events since then could not be replayed (too old or too many). */
  gap?: boolean;
  stop(): Promise<void>;
}
