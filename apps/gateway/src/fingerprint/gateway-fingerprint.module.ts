import { Module } from '@nestjs/common';
import { FingerprintIndexReadRepository } from './fingerprint-index.repository';
import { FingerprintPartSource } from './fingerprint.part';
import { IndexStatusController } from './index-status.controller';
import { IndexStatusService } from './index-status.service';
import { RecordingFilesRepository } from './recording-files.repository';

/**
 * The fingerprint stage's results as the gateway reads them: the file detail part, files of recordings, and
 * the index generations (GET /api/v1/fingerprint/index).
 */
@Module({
  controllers: [IndexStatusController],
  providers: [FingerprintPartSource, RecordingFilesRepository, FingerprintIndexReadRepository, IndexStatusService],
  exports: [FingerprintPartSource, RecordingFilesRepository, FingerprintIndexReadRepository],
})
export class GatewayFingerprintModule {}
