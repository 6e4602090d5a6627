import { Module } from '@nestjs/common';
import { GatewayFingerprintModule } from '../fingerprint/gateway-fingerprint.module';
import { ExcerptFileRepository } from './excerpt-file.repository';
import { IdentifyController } from './identify.controller';
import { IdentifyService } from './identify.service';

/** Wiring only: excerpt look-up against the fingerprint index. */
@Module({
  imports: [GatewayFingerprintModule],
  controllers: [IdentifyController],
  providers: [IdentifyService, ExcerptFileRepository],
})
export class IdentifyModule {}
