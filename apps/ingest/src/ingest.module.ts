import { Module } from '@nestjs/common';
import { LifecycleHandler } from './lifecycle/lifecycle.handler';
import { ScanHandler } from './scans/scan.handler';

@Module({ providers: [ScanHandler, LifecycleHandler], exports: [ScanHandler, LifecycleHandler] })
export class IngestModule {}
