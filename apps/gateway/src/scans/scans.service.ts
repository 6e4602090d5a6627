import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { LibraryPathError } from '@crateflow/config';
import { emptyScanCounts, type ScanCounts } from '@crateflow/contracts';
import type { Logger } from '@crateflow/observability';
import { LOGGER } from '@crateflow/service-host';
import { cursorCodec, toPage, type Page } from '../http/cursor';
import { ProblemException, ProblemTypes } from '../http/problem';
import { AcceptedScanRepository, type AcceptedScan } from '../repositories/accepted-scan.repository';
import { EventBusRepository } from '../repositories/event-bus.repository';
import { LibraryPathRepository } from '../repositories/library-path.repository';
import { ScanReadRepository, type ScanRow } from '../repositories/scan.repository';
import { ScanCursorSchema, type ListScansQuery, type ScanView } from './scan.schemas';

const scanCursor = cursorCodec(ScanCursorSchema);
const isUuid = (id: string) => z.uuid().safeParse(id).success;

const ZERO_COUNTS: Readonly<ScanCounts> = Object.freeze(emptyScanCounts());

@Injectable()
export class ScansService {
  constructor(
    private readonly libraryPaths: LibraryPathRepository,
    private readonly eventBus: EventBusRepository,
    private readonly scans: ScanReadRepository,
    private readonly accepted: AcceptedScanRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Checks the folder lies inside a library root (symlinks resolved) and queues the scan. The command
   * carries the resolved path, so ingest scans exactly the folder that was checked.
   */
  async request(requestedPath: string): Promise<{ id: string }> {
    let resolved: { root: string; path: string };
    try {
      resolved = await this.libraryPaths.resolve(requestedPath);
    } catch (e) {
      if (e instanceof LibraryPathError) {
        throw new ProblemException({
          status: HttpStatus.BAD_REQUEST,
          type: ProblemTypes.pathNotAllowed,
          title: 'Path cannot be scanned',
          detail: e.message,
          errors: [{ location: 'body', field: 'path', message: e.message }],
        });
      }
      throw e;
    }
    const id = randomUUID();
    const acceptedAt = new Date();
    try {
      await this.eventBus.requestScan({ scanId: id, path: resolved.path, requestedAt: acceptedAt.toISOString() });
    } catch (e) {
      this.logger.error({ scanId: id, err: e }, 'could not publish the scan command');
      throw ProblemException.unavailable(
        'The scan could not be queued: the message bus did not confirm it. Try again shortly.',
      );
    }
    // The command is durable now; the note only makes it visible as `queued` before ingest records it, so a
    // note that cannot be written costs a short 404, not the scan.
    await this.accepted
      .add({ id, path: resolved.path, acceptedAt })
      .catch((e: unknown) => this.logger.warn({ scanId: id, err: e }, 'could not note the accepted scan'));
    this.logger.info({ scanId: id, root: resolved.root }, 'scan requested');
    return { id };
  }

  async get(id: string): Promise<ScanView> {
    if (!isUuid(id)) throw ProblemException.notFound(`No scan with id ${JSON.stringify(id)}.`);
    const row = await this.scans.get(id);
    if (row) {
      void this.accepted.forget(id).catch(() => undefined); // it expires anyway
      return scanView(row);
    }
    const accepted = await this.accepted.get(id);
    if (accepted) return queuedView(accepted);
    throw ProblemException.notFound(`No scan with id ${id}.`);
  }

  /**
   * Newest first. The first page also shows scans accepted (by any gateway replica) but not yet recorded by
   * ingest, so a scan started a moment ago is visible at once.
   */
  async list(query: ListScansQuery): Promise<Page<ScanView>> {
    const after = query.cursor === undefined ? undefined : scanCursor.decode(query.cursor);
    const rows = await this.scans.list(after, query.limit + 1);
    const page = toPage(rows, query.limit, scanCursor, (r) => [r.created_at_us, r.id] as [string, string], scanView);
    if (after) return page;
    const pending = await this.accepted.pending();
    if (!pending.length) return page;
    const recorded = new Set(await this.scans.existing(pending.map((s) => s.id)));
    const waiting: ScanView[] = [];
    for (const scan of pending) {
      if (recorded.has(scan.id)) void this.accepted.forget(scan.id).catch(() => undefined);
      else waiting.push(queuedView(scan));
    }
    return { items: [...waiting, ...page.items], nextCursor: page.nextCursor };
  }
}

export function scanView(row: ScanRow): ScanView {
  return {
    id: row.id,
    path: row.path,
    status: row.status,
    counts: { ...ZERO_COUNTS, ...row.counts },
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

function queuedView(scan: AcceptedScan): ScanView {
  return {
    id: scan.id,
    path: scan.path,
    status: 'queued',
    counts: ZERO_COUNTS,
    error: null,
    createdAt: scan.acceptedAt.toISOString(),
    startedAt: null,
    finishedAt: null,
  };
}
