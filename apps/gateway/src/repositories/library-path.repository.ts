import { realpath, stat } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { resolveLibraryPath, withOutputRoot, type ResolvedLibraryPath } from '@crateflow/config';
import { CONFIG } from '@crateflow/service-host';
import type { GatewayConfig } from '../gateway.config';

/** A configured library root as the gateway finds it on disk now. */
export interface LibraryRootState {
  /** As configured (CRATEFLOW_LIBRARY_ROOTS, then CRATEFLOW_OUTPUT_ROOT unless it lies inside one of them). */
  path: string;
  /** With every symlink resolved (what scans record as their root); null when it cannot be resolved. */
  realPath: string | null;
  /** Why a scan of it would fail now (missing, not a folder), or null when it can be scanned. */
  problem: string | null;
}

/**
 * The file system, read-only: resolves a requested folder (symlinks included) and checks it lies inside
 * a configured library root. Throws LibraryPathError with a reason a person can act on.
 */
@Injectable()
export class LibraryPathRepository {
  private readonly configuredRoots: string[];

  constructor(
    @Inject(CONFIG)
    config: Pick<GatewayConfig, 'CRATEFLOW_LIBRARY_ROOTS'> & Partial<Pick<GatewayConfig, 'CRATEFLOW_OUTPUT_ROOT'>>,
  ) {
    // The output root of copy/hardlink executions is a library root too: its copies can be scanned.
    this.configuredRoots = withOutputRoot(config.CRATEFLOW_LIBRARY_ROOTS, config.CRATEFLOW_OUTPUT_ROOT);
  }

  resolve(requested: string): Promise<ResolvedLibraryPath> {
    return resolveLibraryPath(requested, this.configuredRoots);
  }

  /** The configured roots in their configured order, each checked on disk (a root on an unmounted drive says so). */
  roots(): Promise<LibraryRootState[]> {
    return Promise.all(
      this.configuredRoots.map(async (root) => {
        let real: string;
        try {
          real = await realpath(root);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          return { path: root, realPath: null, problem: code === 'ENOENT' ? 'not found' : `not reachable: ${code}` };
        }
        const st = await stat(real).catch(() => null);
        return { path: root, realPath: real, problem: st?.isDirectory() ? null : 'not a folder' };
      }),
    );
  }
}
