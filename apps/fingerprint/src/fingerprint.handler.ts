import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Consumers, messageId, Subjects } from '@crateflow/contracts';
import { GenerationalFingerprintIndex, type FingerprintIndex } from '@crateflow/fingerprint';
import { readableReason, type Messaging } from '@crateflow/messaging';
import { fingerprintMetrics, stageWorkMetrics } from '@crateflow/observability';
import {
  CONFIG,
  MESSAGING,
  METRICS,
  pipelineStageSubscription,
  subscribe,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import type { FingerprintConfig } from './fingerprint.config';
import { FINGERPRINT_INDEX } from './fingerprint-index.provider';
import { IndexRebuildScheduler } from './index-rebuild/index-rebuild.scheduler';
import { MixIdentificationService, type MixJobEvents } from './mixes/mix-identification.service';
import { FileFingerprintRepository } from './repositories/file-fingerprint.repository';
import { FingerprintFileRepository } from './repositories/fingerprint-file.repository';
import { FingerprintTrackRepository, fingerprintIndexOver } from './repositories/fingerprint-index.repository';
import { MixIdentificationRepository } from './repositories/mix-identification.repository';
import { SameRecordingRepository } from './repositories/same-recording.repository';
import { FingerprintService, type FingerprintObserver } from './stage/fingerprint.service';

/** Builds the stage's services over a data source (the handler and tests share this). */
export function createFingerprintServices(
  db: DataSource,
  config: FingerprintConfig,
  options: { observe?: FingerprintObserver; events: MixJobEvents; index?: FingerprintIndex },
): { stage: FingerprintService; mixes: MixIdentificationService } {
  const index = options.index ?? fingerprintIndexOver(db);
  const files = new FingerprintFileRepository(db);
  const fingerprints = new FileFingerprintRepository(db);
  const tracks = new FingerprintTrackRepository(db, index instanceof GenerationalFingerprintIndex ? index : undefined);
  const sameRecordings = new SameRecordingRepository(db);
  return {
    stage: new FingerprintService(
      { files, fingerprints, tracks, sameRecordings, index },
      { timeoutMs: config.FINGERPRINT_TIMEOUT_MS, observe: options.observe },
    ),
    mixes: new MixIdentificationService(
      {
        files,
        fingerprints,
        tracks,
        sameRecordings,
        jobs: new MixIdentificationRepository(db),
        index,
        events: options.events,
      },
      { timeoutMs: config.FINGERPRINT_MIX_TIMEOUT_MS, candidateMaxSec: config.FINGERPRINT_MIX_CANDIDATE_MAX_SEC },
    ),
  };
}

/** Mix job events on the bus, each under a message id that makes a repeat harmless. */
export function busMixJobEvents(messaging: Messaging): MixJobEvents {
  return {
    progressed: async (job, processedSec) => {
      await messaging.publish(
        Subjects.mixIdentifyProgressed,
        { jobId: job.jobId, fileId: job.fileId, processedSec },
        { msgId: messageId(job.jobId, 'progress', Math.floor(processedSec)) },
      );
    },
    finished: async (job, outcome) => {
      await messaging.publish(
        Subjects.mixIdentifyFinished,
        { jobId: job.jobId, fileId: job.fileId, ...outcome },
        { msgId: messageId(job.jobId, 'finished', outcome.status) },
      );
    },
  };
}

/**
 * file.metadata.* → the fingerprint stage (`started`, then `completed`, `skipped` or `failed`), and
 * mix.identify.requested → a mix identification job. An undecodable or vanished file, or one whose postings
 * did not read back, fails at once with the reason; a time-out is retried and failed on its last delivery.
 */
@Injectable()
export class FingerprintHandler implements MessageSubscriber {
  readonly stage: FingerprintService;
  readonly mixes: MixIdentificationService;

  constructor(
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) config: FingerprintConfig,
    @Inject(METRICS) registry: Registry,
    @Inject(FINGERPRINT_INDEX) index: GenerationalFingerprintIndex,
    private readonly rebuild: IndexRebuildScheduler,
  ) {
    const { filesProcessed, audioSeconds } = stageWorkMetrics(registry);
    const { hashesStored, mixIdentifications } = fingerprintMetrics(registry);
    const events = busMixJobEvents(messaging);
    const services = createFingerprintServices(db, config, {
      index,
      observe: {
        outcome: (outcome) => filesProcessed.inc({ stage: 'fingerprint', outcome }),
        indexed: (sec, stored) => {
          audioSeconds.inc({ stage: 'fingerprint' }, sec);
          hashesStored.inc({ strategy: 'landmark' }, stored.landmark);
          hashesStored.inc({ strategy: 'triplet' }, stored.triplet);
        },
      },
      events: {
        progressed: events.progressed,
        finished: async (job, outcome) => {
          mixIdentifications.inc({ outcome: outcome.status });
          await events.finished(job, outcome);
        },
      },
    });
    this.stage = services.stage;
    this.mixes = services.mixes;
  }

  subscriptions(): Subscription[] {
    const stage = pipelineStageSubscription({
      stage: 'fingerprint',
      consumer: Consumers.fingerprint,
      messaging: this.messaging,
      process: (input, ctx) => this.stage.process(input, { signal: ctx.signal, working: () => ctx.working() }),
      recordFailure: (input, error) => this.stage.recordFailure(input, error),
    });
    const mixes = subscribe(Consumers.fingerprintMixes, {
      handle: async (ctx) => {
        await this.mixes.identify(ctx.payload, { signal: ctx.signal, working: () => ctx.working() });
      },
      onDeadLetter: async (event) => {
        if (!event.payload) return; // an invalid payload names no job; it is kept in the dead-letter stream
        await this.mixes.recordFailure(event.payload, readableReason(event.cause, event.error));
      },
    });
    const cancels = subscribe(Consumers.fingerprintMixCancels, {
      handle: async (ctx) => {
        await this.mixes.cancel(ctx.payload);
      },
    });
    const rebuild = subscribe(Consumers.fingerprintIndexRebuild, {
      handle: async (ctx) => {
        await this.rebuild.service.rebuildTrack(ctx.payload, { signal: ctx.signal, working: () => ctx.working() });
      },
    });
    return [stage, mixes, cancels, rebuild];
  }
}
