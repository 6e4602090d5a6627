import { Module } from '@nestjs/common';
import { FingerprintHandler } from './fingerprint.handler';
import { fingerprintIndexProvider } from './fingerprint-index.provider';
import { IndexMergeScheduler } from './index-merge/index-merge.scheduler';
import { IndexRebuildScheduler } from './index-rebuild/index-rebuild.scheduler';

/** Wiring only: the handler builds the services and their repositories over the host's data source. */
@Module({ providers: [fingerprintIndexProvider(), FingerprintHandler, IndexMergeScheduler, IndexRebuildScheduler] })
export class FingerprintModule {}
