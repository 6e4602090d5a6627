import { Module } from '@nestjs/common';
import { FingerprintHandler } from './fingerprint.handler';

/** Wiring only: the handler builds the services and their repositories over the host's data source. */
@Module({ providers: [FingerprintHandler] })
export class FingerprintModule {}
