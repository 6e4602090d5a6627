import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PostgresFingerprintIndex, type FingerprintIndex, type PgPool } from '@crateflow/fingerprint';

/**
 * The fingerprint index (owned by fingerprint) for look-ups only, over the gateway's own connection pool.
 * The gateway never writes it: it only answers excerpt look-ups.
 */
@Injectable()
export class FingerprintIndexReadRepository {
  readonly index: FingerprintIndex;

  constructor(@Inject('DataSource') db: DataSource) {
    const pool = (db.driver as unknown as { master: PgPool }).master;
    this.index = new PostgresFingerprintIndex(pool, { ownsPool: false });
  }
}
