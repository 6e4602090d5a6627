import { Module } from '@nestjs/common';
import { GatewayFingerprintModule } from '../fingerprint/gateway-fingerprint.module';
import { FileReadRepository } from '../repositories/file.repository';
import { MixCandidateRepository } from './mix-candidates.repository';
import { MixIdentificationReadRepository } from './mix-identification.repository';
import { MixRequestsRepository } from './mix-requests.repository';
import { MixesController } from './mixes.controller';
import { MixesService } from './mixes.service';

/** Wiring only: mix identification requests, timelines and CUE sheets. */
@Module({
  imports: [GatewayFingerprintModule],
  controllers: [MixesController],
  providers: [
    MixesService,
    MixCandidateRepository,
    MixIdentificationReadRepository,
    MixRequestsRepository,
    FileReadRepository,
  ],
})
export class MixesModule {}
