import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { messageId, Subjects } from '@crateflow/contracts';
import type { GenerationalFingerprintIndex, IndexGeneration, RebuildProgress } from '@crateflow/fingerprint';
import type { Messaging } from '@crateflow/messaging';
import { CONFIG, MESSAGING } from '@crateflow/service-host';
import type { FingerprintConfig } from '../fingerprint.config';
import { FINGERPRINT_INDEX } from '../fingerprint-index.provider';
import { FileFingerprintRepository } from '../repositories/file-fingerprint.repository';
import { RebuildFilesRepository } from '../repositories/rebuild-files.repository';
import { SameRecordingRepository } from '../repositories/same-recording.repository';
import { IndexRebuildService, type RebuildEvents } from './index-rebuild.service';
import { PeriodicRound } from '../periodic-round';

/** Rebuild requests and progress on the bus, each under a message id that makes a repeat harmless. */
export function busRebuildEvents(messaging: Messaging): RebuildEvents {
  return {
    requestTrack: async (generation, trackId, round) => {
      await messaging.publish(
        Subjects.indexRebuildRequested,
        { generation, trackId },
        { msgId: messageId('index-rebuild', generation, trackId, round) },
      );
    },
    progressed: async (g: IndexGeneration, state, p: RebuildProgress) => {
      await messaging.publish(
        Subjects.indexRebuildProgressed,
        {
          generation: g.generation,
          state,
          algorithmVersion: g.algorithmVersion,
          layoutVersion: g.layoutVersion,
          done: p.done,
          failed: p.failed,
          total: p.total,
          ratePerMin: p.ratePerMin === null ? null : Math.round(p.ratePerMin * 10) / 10,
          etaSec: p.etaSec,
        },
        // One report per state and count: repeats of an unchanged state are dropped by the dedupe window.
        { msgId: messageId('index-rebuild-progress', g.generation, state, p.done, p.failed, p.total) },
      );
    },
  };
}

/**
 * Runs the index upgrade coordinator (IndexRebuildService.round): once at start-up before any message is
 * taken, so a process of a newer version has its generation to write into, then every
 * FINGERPRINT_REBUILD_INTERVAL_MS. Any number of replicas may run it: generation changes take an advisory
 * lock and every request and report carries a deterministic message id.
 */
@Injectable()
export class IndexRebuildScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IndexRebuild');
  readonly service: IndexRebuildService;
  private readonly rounds = new PeriodicRound(() => this.runOnce());

  constructor(
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) private readonly config: FingerprintConfig,
    @Inject(MESSAGING) messaging: Messaging,
    @Inject(FINGERPRINT_INDEX) index: GenerationalFingerprintIndex,
  ) {
    this.service = new IndexRebuildService(
      {
        index,
        files: new RebuildFilesRepository(db),
        fingerprints: new FileFingerprintRepository(db),
        sameRecordings: new SameRecordingRepository(db),
        events: busRebuildEvents(messaging),
      },
      {
        timeoutMs: config.FINGERPRINT_TIMEOUT_MS,
        retireGraceMs: config.FINGERPRINT_REBUILD_RETIRE_GRACE_MS,
        sweepMs: config.FINGERPRINT_REBUILD_SWEEP_MS,
        reportMs: config.FINGERPRINT_REBUILD_REPORT_MS,
      },
    );
  }

  async onModuleInit(): Promise<void> {
    const started = await this.service.ensureCurrent();
    if (started) {
      this.logger.log(
        `index generation ${started.generation} (algorithm ${started.algorithmVersion}, layout ${started.layoutVersion}) is being built; the active one answers look-ups until it is complete`,
      );
    }
    this.rounds.start(this.config.FINGERPRINT_REBUILD_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  async runOnce(): Promise<void> {
    try {
      const r = await this.service.round();
      if (r.flipped) this.logger.log(`the new index generation is active (${r.progress?.done} tracks)`);
    } catch (e) {
      this.logger.error(`index rebuild round failed (retried next round): ${(e as Error).message}`);
    }
  }
}
