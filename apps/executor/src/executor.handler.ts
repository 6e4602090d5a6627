import { Injectable } from '@nestjs/common';
import { Consumers, Subjects } from '@crateflow/contracts';
import { isSubject, subscribe, type MessageSubscriber, type Subscription } from '@crateflow/service-host';
import { ExecutorService } from './executor.service';

/**
 * execution.plan.requested → a plan is computed and stored; execution.run.requested → the plan becomes an
 * execution (refused when stale) queued for the background runner; execution.undo.requested → an undo
 * execution. Messages are acknowledged once the execution is stored: an execution outlives any ack
 * deadline, and the journal, not the message, is what survives a crash.
 */
@Injectable()
export class ExecutorHandler implements MessageSubscriber {
  constructor(private readonly executor: ExecutorService) {}

  subscriptions(): Subscription[] {
    return [
      subscribe(Consumers.executor, {
        // Typed by the consumer's payloads; isSubject narrows them by the subject, so no casts.
        handle: async (ctx) => {
          if (isSubject(ctx, Subjects.executionPlanRequested)) return this.executor.commands.plan(ctx.payload);
          if (isSubject(ctx, Subjects.executionUndoRequested)) {
            const p = ctx.payload;
            return this.executor.commands.undo(p.executionId, p.undoOf, p.operationIds);
          }
          const p = ctx.payload;
          if (p.planId) return this.executor.commands.run(p.executionId, p.planId);
          this.executor.runner.enqueue(p.executionId);
        },
      }),
    ];
  }
}
