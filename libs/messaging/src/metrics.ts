import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What happened to one delivery. */
export type MessageOutcome = 'ack' | 'nak' | 'dead_letter' | 'ignored' | 'invalid';

/**
 * The per-stage metrics of docs/DESIGN §10. The `stage` label is the consumer's durable suffix
 * (e.g. `metadata`), never anything derived from a file.
 */
export class MessagingMetrics {
  readonly processed: Counter<'stage' | 'outcome'>;
  readonly handlingSeconds: Histogram<'stage'>;
  readonly inFlight: Gauge<'stage'>;
  readonly consumerLag: Gauge<'stage'>;

  constructor(readonly registry: Registry) {
    // Several Messaging instances may share one registry (tests, an app with two connections):
    // reuse a metric that is already registered instead of failing on the duplicate name.
    this.processed = reuse(
      registry,
      'crateflow_messages_processed_total',
      () =>
        new Counter({
          name: 'crateflow_messages_processed_total',
          help: 'Messages processed by a stage, by outcome (ack, nak, dead_letter, ignored, invalid)',
          labelNames: ['stage', 'outcome'] as const,
          registers: [registry],
        }),
    );
    this.handlingSeconds = reuse(
      registry,
      'crateflow_message_handling_seconds',
      () =>
        new Histogram({
          name: 'crateflow_message_handling_seconds',
          help: 'Time from receiving a message to acknowledging (or giving it back)',
          labelNames: ['stage'] as const,
          // From quick tag reads to multi-hour mixes.
          buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600, 1800, 3600],
          registers: [registry],
        }),
    );
    this.inFlight = reuse(
      registry,
      'crateflow_messages_in_flight',
      () =>
        new Gauge({
          name: 'crateflow_messages_in_flight',
          help: 'Messages a stage is handling right now in this process',
          labelNames: ['stage'] as const,
          registers: [registry],
        }),
    );
    this.consumerLag = reuse(
      registry,
      'crateflow_consumer_lag',
      () =>
        new Gauge({
          name: 'crateflow_consumer_lag',
          help: "Messages waiting for a stage's durable consumer: not yet delivered plus delivered and not yet acknowledged",
          labelNames: ['stage'] as const,
          registers: [registry],
        }),
    );
  }
}

function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
