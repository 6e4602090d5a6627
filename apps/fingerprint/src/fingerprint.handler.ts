import { Inject, Injectable } from '@nestjs/common';
import { Consumers } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING, notBuiltYetStage, type MessageSubscriber, type Subscription } from '@crateflow/service-host';

/**
 * The fingerprint stage's consumer. Until the stage's work is built it passes every file on as `skipped`
 * (with the reason), so files flow through the whole pipeline and none is stranded.
 */
@Injectable()
export class FingerprintHandler implements MessageSubscriber {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  subscriptions(): Subscription[] {
    return [notBuiltYetStage('fingerprint', Consumers.fingerprint, this.messaging)];
  }
}
