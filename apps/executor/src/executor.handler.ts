import { Injectable } from '@nestjs/common';
import { Consumers, type PayloadOf, type Subjects } from '@crateflow/contracts';
import type { MessageSubscriber, Subscription } from '@crateflow/service-host';
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
      {
        consumer: Consumers.executor,
        handle: async (ctx) => {
          const [, what] = ctx.subject.split('.');
          if (what === 'plan') {
            const p = ctx.payload as PayloadOf<typeof Subjects.executionPlanRequested>;
            return this.executor.commands.plan(p);
          }
          if (what === 'undo') {
            const p = ctx.payload as PayloadOf<typeof Subjects.executionUndoRequested>;
            return this.executor.commands.undo(p.executionId, p.undoOf, p.operationIds);
          }
          const p = ctx.payload as PayloadOf<typeof Subjects.executionRequested>;
          if (p.planId) return this.executor.commands.run(p.executionId, p.planId);
          this.executor.runner.enqueue(p.executionId);
        },
      },
    ];
  }
}
