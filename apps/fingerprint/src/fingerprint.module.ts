import { Module } from '@nestjs/common';
import { FingerprintHandler } from './fingerprint.handler';
import { IndexMergeScheduler } from './index-merge/index-merge.scheduler';

/** Wiring only: the handler builds the services and their repositories over the host's data source. */
@Module({ providers: [FingerprintHandler, IndexMergeScheduler] })
export class FingerprintModule {}
