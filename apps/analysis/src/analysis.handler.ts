import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { closeSharedPool } from '@crateflow/analysis';
import { Consumers } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { stageWorkMetrics } from '@crateflow/observability';
import {
  CONFIG,
  MESSAGING,
  METRICS,
  pipelineStageSubscription,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import type { AnalysisConfig } from './analysis.config';
import { AnalysisService, type AnalysisOutcome, type Analyzer } from './analysis.service';
import { FileAnalysisRepository } from './repositories/file-analysis.repository';
import { FileLookupRepository } from './repositories/file-lookup.repository';

/** Builds the stage's service over a data source (the handler and tests share this). */
export function createAnalysisService(
  db: DataSource,
  config: AnalysisConfig,
  options: { analyze?: Analyzer; observe?: (o: AnalysisOutcome) => void } = {},
): AnalysisService {
  return new AnalysisService(new FileLookupRepository(db), new FileAnalysisRepository(db), {
    timeoutMs: config.ANALYSIS_TIMEOUT_MS,
    ...options,
  });
}

/**
 * file.fingerprint.* → the analysis stage. Announces `started`, then `completed` (measured and stored) or
 * `skipped` (companions, non-audio, content that changed since). An undecodable or vanished file ends as
 * `failed` with the reason at once; a time-out is retried and failed on its last delivery. The consumer
 * carries on with the next file either way.
 */
@Injectable()
export class AnalysisHandler implements MessageSubscriber, OnModuleDestroy {
  readonly service: AnalysisService;

  constructor(
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) config: AnalysisConfig,
    @Inject(METRICS) registry: Registry,
  ) {
    const { filesProcessed } = stageWorkMetrics(registry);
    this.service = createAnalysisService(db, config, {
      observe: (outcome) => filesProcessed.inc({ stage: 'analysis', outcome }),
    });
  }

  /** After the host has stopped the consumers (in-flight analyses are done), the Essentia threads go. */
  async onModuleDestroy(): Promise<void> {
    await closeSharedPool();
  }

  subscriptions(): Subscription[] {
    const stage = pipelineStageSubscription({
      stage: 'analysis',
      consumer: Consumers.analysis,
      messaging: this.messaging,
      process: (input, ctx) => this.service.process(input, { signal: ctx.signal, working: () => ctx.working() }),
      recordFailure: (input, error) => this.service.recordFailure(input, error),
    });
    return [stage];
  }
}
