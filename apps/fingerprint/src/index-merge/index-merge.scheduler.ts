import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PostgresFingerprintIndex } from '@crateflow/fingerprint';
import { CONFIG } from '@crateflow/service-host';
import type { FingerprintConfig } from '../fingerprint.config';
import { fingerprintIndexOver } from '../repositories/fingerprint-index.repository';

/**
 * The background merge of the fingerprint index: new postings land in the row tables (cheap to write and
 * to replace), and every FINGERPRINT_MERGE_INTERVAL_MS the whole tracks waiting there are packed into one
 * row per hash key; tombstoned postings are purged once they make up a noticeable share. Any number of
 * replicas may run it: the index serialises merges with an advisory lock and skips tracks being indexed.
 */
@Injectable()
export class IndexMergeScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IndexMerge');
  private readonly index: PostgresFingerprintIndex;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) private readonly config: FingerprintConfig,
  ) {
    this.index = fingerprintIndexOver(db);
  }

  onModuleInit(): void {
    const every = this.config.FINGERPRINT_MERGE_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.running ??= this.runOnce().finally(() => (this.running = null));
      }, every);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: merge what waits, purge tombstones when there are any (errors are logged, retried next round). */
  async runOnce(): Promise<void> {
    try {
      const pending = await this.index.pendingWork();
      if (pending.tombstones > 0) await this.index.purgeRemoved();
      if (pending.rowPostings > 0 || pending.tombstones > 0) {
        const merged = await this.index.mergePending();
        if (merged.tracks) this.logger.log(`packed ${merged.postings} postings of ${merged.tracks} tracks`);
      }
    } catch (e) {
      this.logger.error(`index merge failed (retried next round): ${(e as Error).message}`);
    }
  }
}
