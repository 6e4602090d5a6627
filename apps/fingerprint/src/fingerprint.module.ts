import { Module } from '@nestjs/common';
import { FingerprintHandler } from './fingerprint.handler';

@Module({ providers: [FingerprintHandler] })
export class FingerprintModule {}
