import { Inject, Injectable } from '@nestjs/common';
import {
  Consumers,
  PIPELINE_STAGES,
  type PipelineStage,
  type ProposalDecision,
  type StageOutcome,
} from '@crateflow/contracts';
import { CONFIG, type MessageSubscriber, type Subscription } from '@crateflow/service-host';
import type { DataSource } from 'typeorm';
import { LifecycleRepository } from '../repositories/lifecycle.repository';
import { LifecycleService, type FileRelocated } from './lifecycle.service';

/** file.> → stage statuses, lifecycle state and history. */
@Injectable()
export class LifecycleHandler implements MessageSubscriber {
  private readonly service: LifecycleService;
  constructor(@Inject('DataSource') db: DataSource, @Inject(CONFIG) _config: unknown) {
    this.service = new LifecycleService(new LifecycleRepository(db));
  }

  subscriptions(): Subscription[] {
    return [
      {
        consumer: Consumers.ingestLifecycle,
        handle: async (ctx) => {
          const [, stage, what] = ctx.subject.split('.');
          const p = ctx.payload as {
            fileId: string;
            contentHash: string;
            scanId: string;
            outcome?: StageOutcome;
            reason?: string;
            resolutionId?: string;
            canonicalFileId?: string;
            proposalId?: string;
            decision?: ProposalDecision;
            version?: number;
            generation?: number;
          };
          if (stage === 'proposal') {
            // `generated` changes no state (the proposer's stage outcome does); decisions do.
            if (what === 'generated') return;
            return this.service.proposalDecided(p.fileId, p.contentHash, what, p.decision!, p.proposalId!, p.version!);
          }
          if (stage === 'execution') {
            if (what === 'relocated') return this.service.fileRelocated(ctx.payload as FileRelocated);
            return;
          }
          if (stage === 'duplicate') {
            if (what === 'resolved') {
              return this.service.duplicateResolved(p.fileId, p.contentHash, p.resolutionId!, p.canonicalFileId!);
            }
            if (what === 'unresolved')
              return this.service.duplicateUnresolved(p.fileId, p.contentHash, p.resolutionId!);
            return;
          }
          if (stage === 'ingest') {
            if (what === 'vanished') return this.service.fileMissing(p.fileId, p.scanId);
            const change = what === 'changed' ? 'changed' : 'new';
            return this.service.fileIngested(change, p.fileId, p.contentHash, p.scanId, p.generation);
          }
          if (!(PIPELINE_STAGES as readonly string[]).includes(stage)) return;
          if (what === 'started')
            return this.service.stageStarted(p.fileId, p.contentHash, stage as PipelineStage, p.generation);
          return this.service.stageFinished(
            p.fileId,
            p.contentHash,
            stage as PipelineStage,
            what as StageOutcome,
            p.reason,
            p.generation,
          );
        },
      } as Subscription,
    ];
  }
}
