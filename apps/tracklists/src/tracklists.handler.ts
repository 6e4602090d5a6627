import { Injectable } from '@nestjs/common';
import { Consumers } from '@crateflow/contracts';
import { PermanentError } from '@crateflow/messaging';
import type { MessageSubscriber, Subscription } from '@crateflow/service-host';

/**
 * The tracklists service's command consumer. Its work arrives in a later issue; until then a command is
 * refused loudly (dead-lettered with the reason) rather than silently dropped.
 */
@Injectable()
export class TracklistsHandler implements MessageSubscriber {
  subscriptions(): Subscription[] {
    return [
      {
        consumer: Consumers.tracklists,
        handle: async (ctx) => {
          throw new PermanentError(`${ctx.subject} cannot be carried out yet: the tracklists service is not built`);
        },
      },
    ];
  }
}
