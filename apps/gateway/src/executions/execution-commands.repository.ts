import { Inject, Injectable } from '@nestjs/common';
import { Subjects, type PayloadOf } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';

/** The executor's commands on the bus. The gateway never touches the music folders: it asks. */
@Injectable()
export class ExecutionCommandsRepository {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  /** Publishes a plan request and resolves when the executor reports the plan stored (or after `waitMs`). */
  async requestPlan(
    p: PayloadOf<typeof Subjects.executionPlanRequested>,
    waitMs: number,
  ): Promise<'ready' | 'failed' | 'computing'> {
    let resolveDone: (s: 'ready' | 'failed') => void = () => undefined;
    const done = new Promise<'ready' | 'failed'>((r) => (resolveDone = r));
    const sub = await this.messaging.subscribeLive(Subjects.executionPlanFinished.name, (m) => {
      const payload = m.payload as PayloadOf<typeof Subjects.executionPlanFinished>;
      if (payload.planId === p.planId) resolveDone(payload.status);
    });
    try {
      await this.messaging.publish(Subjects.executionPlanRequested, p, { msgId: `plan:${p.planId}` });
      const timeout = new Promise<'computing'>((r) => setTimeout(() => r('computing'), waitMs).unref());
      return await Promise.race([done, timeout]);
    } finally {
      await sub.stop();
    }
  }

  async requestRun(executionId: string, planId: string): Promise<void> {
    await this.messaging.publish(
      Subjects.executionRequested,
      { executionId, planId, requestedAt: new Date().toISOString() },
      { msgId: `execution:${executionId}:run` },
    );
  }

  async requestUndo(executionId: string, undoOf: string, operationIds?: string[]): Promise<void> {
    await this.messaging.publish(
      Subjects.executionUndoRequested,
      { executionId, undoOf, operationIds, requestedAt: new Date().toISOString() },
      { msgId: `execution:${executionId}:undo` },
    );
  }

  subscribe(onEvent: (subject: string, payload: unknown, sequence: number) => void) {
    return this.messaging.subscribeLive('execution.run.>', (m) => onEvent(m.subject, m.payload, m.streamSequence));
  }
}
