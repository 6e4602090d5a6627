import { Injectable } from '@nestjs/common';
import { Consumers } from '@crateflow/contracts';
import type { MessageSubscriber, Subscription } from '@crateflow/service-host';
import { ExecutorService } from './executor.service';

/**
 * execution.run.requested / execution.undo.requested → the execution is queued for the background runner
 * and the message acknowledged at once (an execution outlives any ack deadline; the journal, not the
 * message, is what survives a crash).
 */
@Injectable()
export class ExecutorHandler implements MessageSubscriber {
  constructor(private readonly executor: ExecutorService) {}

  subscriptions(): Subscription[] {
    return [
      {
        consumer: Consumers.executor,
        handle: async (ctx) => {
          const { executionId } = ctx.payload as { executionId: string };
          this.executor.runner.enqueue(executionId);
        },
      },
    ];
  }
}
