import { Subjects, type PayloadOf } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import type { PlanEvents } from './execution-commands';
import type { ExecutionEvents } from './execution-runner';

/** The runner's events on NATS, each with a deterministic message id. */
export class NatsExecutionEvents implements ExecutionEvents, PlanEvents {
  private progressSeq = 0;
  constructor(private readonly messaging: Messaging) {}

  async progressed(p: PayloadOf<typeof Subjects.executionProgressed>): Promise<void> {
    await this.messaging.publish(Subjects.executionProgressed, p, {
      msgId: `execution:${p.executionId}:progress:${Date.now()}:${this.progressSeq++}`,
    });
  }

  async finished(p: PayloadOf<typeof Subjects.executionFinished>): Promise<void> {
    await this.messaging.publish(Subjects.executionFinished, p, { msgId: `execution:${p.executionId}:finished` });
  }

  async planFinished(p: PayloadOf<typeof Subjects.executionPlanFinished>): Promise<void> {
    await this.messaging.publish(Subjects.executionPlanFinished, p, { msgId: `plan:${p.planId}:${p.status}` });
  }

  async relocated(p: PayloadOf<typeof Subjects.fileRelocated>, msgId: string): Promise<void> {
    await this.messaging.publish(Subjects.fileRelocated, p, { msgId });
  }
}
