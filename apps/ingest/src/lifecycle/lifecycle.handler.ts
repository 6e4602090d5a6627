import { Inject, Injectable } from '@nestjs/common';
import { Consumers, Subjects } from '@crateflow/contracts';
import { CONFIG, subscribe, type MessageSubscriber, type Subscription } from '@crateflow/service-host';
import type { DataSource } from 'typeorm';
import { LifecycleRepository } from '../repositories/lifecycle.repository';
import { LifecycleService } from './lifecycle.service';

/** file.> → stage statuses, lifecycle state and history. */
@Injectable()
export class LifecycleHandler implements MessageSubscriber {
  private readonly service: LifecycleService;
  constructor(@Inject('DataSource') db: DataSource, @Inject(CONFIG) _config: unknown) {
    this.service = new LifecycleService(new LifecycleRepository(db));
  }

  subscriptions(): Subscription[] {
    return [
      subscribe(Consumers.ingestLifecycle, {
        // Typed by the consumer's payloads: each kind of event is told apart by its own fields, no casts.
        handle: async (ctx) => {
          const p = ctx.payload;
          if ('decision' in p) {
            // A person's decision about a proposal (approved, rejected, edited, undone).
            const action = ctx.subject.split('.').pop()!;
            return this.service.proposalDecided(p.fileId, p.contentHash, action, p.decision, p.proposalId, p.version);
          }
          // `file.proposal.generated` changes no state: the proposer's stage outcome does.
          if ('proposalId' in p) return;
          if ('pathKey' in p) return this.service.fileRelocated(p);
          if ('resolutionId' in p) {
            if (ctx.subject === Subjects.fileDuplicateUnresolved.name)
              return this.service.duplicateUnresolved(p.fileId, p.contentHash, p.resolutionId);
            return this.service.duplicateResolved(p.fileId, p.contentHash, p.resolutionId, p.canonicalFileId);
          }
          if (!('contentHash' in p)) return this.service.fileMissing(p.fileId, p.scanId);
          if ('scanId' in p) {
            const change = ctx.subject === Subjects.fileChanged.name ? 'changed' : 'new';
            return this.service.fileIngested(change, p.fileId, p.contentHash, p.scanId, p.generation);
          }
          if ('outcome' in p)
            return this.service.stageFinished(p.fileId, p.contentHash, p.stage, p.outcome, p.reason, p.generation);
          return this.service.stageStarted(p.fileId, p.contentHash, p.stage, p.generation);
        },
      }),
    ];
  }
}
