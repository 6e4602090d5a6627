import { Inject, Injectable } from '@nestjs/common';
import { Subjects, type PayloadOf } from '@crateflow/contracts';
import type { LiveMessage, LiveSubscription, Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';

export type ScanRequested = PayloadOf<typeof Subjects.scanRequested>;

/** The gateway's side of NATS: the commands it publishes and the live event feed behind SSE. */
@Injectable()
export class EventBusRepository {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  /** Publishes the scan command and waits for the stream's ack (the command is then durable). */
  async requestScan(payload: ScanRequested): Promise<void> {
    await this.messaging.publish(Subjects.scanRequested, payload, { msgId: `scan:${payload.scanId}` });
  }

  /**
   * Live events under a subject filter without the prefix (`>` for all, `scan.>` for a domain), from now on
   * or, for a client resuming, from just after the stream sequence it saw last.
   */
  subscribe(
    filter: string,
    onMessage: (message: LiveMessage) => void,
    afterSequence?: number,
  ): Promise<LiveSubscription> {
    return this.messaging.subscribeLive(filter, onMessage, { afterSequence });
  }
}
