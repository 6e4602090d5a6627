import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_DOMAINS } from '@crateflow/contracts';
import type { LiveMessage, LiveSubscription } from '@crateflow/messaging';
import type { Logger } from '@crateflow/observability';
import { LOGGER } from '@crateflow/service-host';
import { ProblemException } from '../http/problem';
import { EventBusRepository } from '../repositories/event-bus.repository';

export type EventDomain = (typeof EVENT_DOMAINS)[number];

export interface LiveEvent {
  subject: string;
  payload: unknown;
  sequence: number;
}

/** At most this many open event streams at once; each holds a NATS consumer. */
export const MAX_EVENT_CLIENTS = 200;

/** The subject filters for the wanted domains: one `>` for all of them, else one per domain. */
export function filtersFor(domains: readonly EventDomain[] | undefined): string[] {
  const wanted = new Set(domains ?? EVENT_DOMAINS);
  if (EVENT_DOMAINS.every((d) => wanted.has(d))) return ['>'];
  return EVENT_DOMAINS.filter((d) => wanted.has(d)).map((d) => `${d}.>`);
}

/** Where a subscriber's events go: an open SSE response. */
export interface EventSink {
  send(event: LiveEvent): void;
  /** Ends the stream (the server is shutting down). */
  close(): void;
}

@Injectable()
export class EventsService implements OnModuleDestroy {
  private readonly sinks = new Set<EventSink>();

  constructor(
    private readonly eventBus: EventBusRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get openStreams(): number {
    return this.sinks.size;
  }

  /**
   * Subscribes a sink to live events of the given domains (all when undefined), from now on or from just
   * after `afterSequence` (a resumed stream; any replica can resume it). Resolves once the subscription is live, with the function that ends it; throws a 503 problem when NATS cannot be reached.
   */
  async subscribe(
    domains: readonly EventDomain[] | undefined,
    sink: EventSink,
    afterSequence?: number,
  ): Promise<() => Promise<void>> {
    if (this.sinks.size >= MAX_EVENT_CLIENTS) {
      throw ProblemException.unavailable(`Too many open event streams (${MAX_EVENT_CLIENTS}); close one and retry.`);
    }
    this.sinks.add(sink);
    const subscriptions: LiveSubscription[] = [];
    const deliver = (m: LiveMessage) =>
      sink.send({ subject: m.subject, payload: m.payload, sequence: m.streamSequence });
    let ended: Promise<void> | undefined;
    const end = () =>
      (ended ??= (async () => {
        this.sinks.delete(sink);
        await Promise.allSettled(subscriptions.map((s) => s.stop()));
      })());
    try {
      for (const filter of filtersFor(domains))
        subscriptions.push(await this.eventBus.subscribe(filter, deliver, afterSequence));
    } catch (e) {
      await end();
      this.logger.warn({ err: e }, 'could not subscribe to live events');
      throw ProblemException.unavailable(
        'The live event feed is not available right now: the message bus cannot be reached.',
      );
    }
    return end;
  }

  /** Open event streams would keep the HTTP server from closing: end them when the app shuts down. */
  onModuleDestroy(): void {
    for (const sink of [...this.sinks]) sink.close();
  }
}
