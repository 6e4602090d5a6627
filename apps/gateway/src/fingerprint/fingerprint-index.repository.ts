import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { GenerationalFingerprintIndex } from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';

/**
 * The fingerprint index (owned by fingerprint) for look-ups only, over the gateway's own connection pool.
 * The gateway never writes it: it answers excerpt look-ups from the active generation and reads the
 * generations table for the upgrade progress.
 */
@Injectable()
export class FingerprintIndexReadRepository {
  readonly index: GenerationalFingerprintIndex;

  constructor(@Inject('DataSource') db: DataSource) {
    this.index = new GenerationalFingerprintIndex(pgPoolOf(db), { ownsPool: false });
  }
}
