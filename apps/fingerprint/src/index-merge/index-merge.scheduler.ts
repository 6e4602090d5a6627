import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { GenerationalFingerprintIndex, IndexSlot } from '@crateflow/fingerprint';
import { CONFIG } from '@crateflow/service-host';
import type { FingerprintConfig } from '../fingerprint.config';
import { FINGERPRINT_INDEX } from '../fingerprint-index.provider';
import { PeriodicRound } from '../periodic-round';

/**
 * The background merge of the fingerprint index: new postings land in the row tables (cheap to write and
 * to replace), and every FINGERPRINT_MERGE_INTERVAL_MS the whole tracks waiting there are packed into one
 * row per hash key; tombstoned postings are purged once they make up a noticeable share. Any number of
 * replicas may run it: the index serialises merges with an advisory lock and skips tracks being indexed.
 */
@Injectable()
export class IndexMergeScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IndexMerge');
  private readonly rounds = new PeriodicRound(() => this.runOnce());

  constructor(
    @Inject(FINGERPRINT_INDEX) private readonly index: GenerationalFingerprintIndex,
    @Inject(CONFIG) private readonly config: FingerprintConfig,
  ) {}

  onModuleInit(): void {
    this.rounds.start(this.config.FINGERPRINT_MERGE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.rounds.stop();
  }

  /**
   * One round: merge what waits, purge tombstones when there are any (errors are logged, retried next round),
   * in the active generation's slot and, during an upgrade, in the one being built.
   */
  async runOnce(): Promise<void> {
    try {
      const view = await this.index.view({ fresh: true });
      const slots: IndexSlot[] = [view.active.slot, ...(view.building ? [view.building.slot] : [])];
      for (const slot of slots) await this.mergeSlot(slot);
    } catch (e) {
      this.logger.error(`index merge failed (retried next round): ${(e as Error).message}`);
    }
  }

  private async mergeSlot(slot: IndexSlot): Promise<void> {
    const index = this.index.slotIndex(slot);
    const pending = await index.pendingWork();
    if (pending.tombstones > 0) await index.purgeRemoved();
    if (pending.rowPostings > 0 || pending.tombstones > 0) {
      const merged = await index.mergePending();
      if (merged.tracks)
        this.logger.log(`packed ${merged.postings} postings of ${merged.tracks} tracks (slot ${slot})`);
    }
  }
}
