import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PostgresFingerprintIndex, type FingerprintIndex } from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';

/**
 * The fingerprint index (owned by fingerprint) for look-ups only, over the gateway's own connection pool.
 * The gateway never writes it: it only answers excerpt look-ups.
 */
@Injectable()
export class FingerprintIndexReadRepository {
  readonly index: FingerprintIndex;

  constructor(@Inject('DataSource') db: DataSource) {
    this.index = new PostgresFingerprintIndex(pgPoolOf(db), { ownsPool: false });
  }
}
