import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { GenerationalFingerprintIndex, type GenerationalIndexOptions } from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';

/** The service's one fingerprint index (the generations layer over both table slots). */
export const FINGERPRINT_INDEX = Symbol('FINGERPRINT_INDEX');
/**
 * Options of that index. Only tests provide them: to run the service as a later algorithm version would
 * (an upgrade) without changing the code's constants.
 */
export const FINGERPRINT_INDEX_OPTIONS = Symbol('FINGERPRINT_INDEX_OPTIONS');

export function fingerprintIndexProvider(): Provider {
  return {
    provide: FINGERPRINT_INDEX,
    useFactory: (db: DataSource, options?: GenerationalIndexOptions) =>
      new GenerationalFingerprintIndex(pgPoolOf(db), { ...options, ownsPool: false }),
    inject: ['DataSource', { token: FINGERPRINT_INDEX_OPTIONS, optional: true }],
  };
}
