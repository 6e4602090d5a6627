import { Inject, Injectable } from '@nestjs/common';
import { resolveLibraryPath, type ResolvedLibraryPath } from '@crateflow/config';
import { CONFIG } from '@crateflow/service-host';
import type { GatewayConfig } from '../gateway.config';

/**
 * The file system, read-only: resolves a requested folder (symlinks included) and checks it lies inside
 * a configured library root. Throws LibraryPathError with a reason a person can act on.
 */
@Injectable()
export class LibraryPathRepository {
  constructor(@Inject(CONFIG) private readonly config: Pick<GatewayConfig, 'CRATEFLOW_LIBRARY_ROOTS'>) {}

  resolve(requested: string): Promise<ResolvedLibraryPath> {
    return resolveLibraryPath(requested, this.config.CRATEFLOW_LIBRARY_ROOTS);
  }
}
