import { Module } from '@nestjs/common';
import { FingerprintIndexReadRepository } from './fingerprint-index.repository';
import { FingerprintPartSource } from './fingerprint.part';
import { RecordingFilesRepository } from './recording-files.repository';

/** The fingerprint stage's results as the gateway reads them: the file detail part and files of recordings. */
@Module({
  providers: [FingerprintPartSource, RecordingFilesRepository, FingerprintIndexReadRepository],
  exports: [FingerprintPartSource, RecordingFilesRepository, FingerprintIndexReadRepository],
})
export class GatewayFingerprintModule {}
