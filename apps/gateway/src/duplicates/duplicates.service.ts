import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@crateflow/observability';
import { LOGGER } from '@crateflow/service-host';
import { cursorCodec, toPage, type Page } from '../http/cursor';
import { ProblemException } from '../http/problem';
import { DuplicateEventsRepository } from './duplicate-events.repository';
import { DuplicateGroupRepository, type ExactGroupRow, type MemberRow } from './duplicate-group.repository';
import {
  ActiveResolutionExistsError,
  DuplicateResolutionRepository,
  type Announcement,
  type NewResolution,
  type StoredResolution,
} from './duplicate-resolution.repository';
import { comparisonView, groupView, rankGroup, type RankedGroup } from './duplicate-views';
import {
  DuplicateCursorSchema,
  type BulkOutcome,
  type DuplicateComparisonView,
  type DuplicateGroupView,
  type ListDuplicatesQuery,
} from './duplicates.schemas';
import { exactGroupKey, parseGroupKey } from './group-key';

const duplicateCursor = cursorCodec(DuplicateCursorSchema);
export const CONFLICT_PROBLEM = 'urn:crateflow:problem:conflict';
/** Groups handled per step of a bulk resolve or undo. */
export const BULK_BATCH = 200;

/**
 * Duplicate groups and the decisions about them. The gateway records each decision (the one writer of
 * review decisions) and announces it per file; ingest's lifecycle tracker marks the files. Nothing is
 * moved or deleted. Every action can be repeated safely: a repeat announces the same events again, under
 * the same message ids, so a request that failed half-way is finished by sending it again.
 */
@Injectable()
export class DuplicatesService {
  constructor(
    private readonly groups: DuplicateGroupRepository,
    private readonly resolutions: DuplicateResolutionRepository,
    private readonly events: DuplicateEventsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(query: ListDuplicatesQuery): Promise<Page<DuplicateGroupView>> {
    const after = query.cursor === undefined ? undefined : duplicateCursor.decode(query.cursor);
    const rows = await this.groups.listExact({ status: query.status }, after, query.limit + 1);
    const shown = rows.slice(0, query.limit);
    const ranked = await this.rank(shown);
    const roles = await this.groups.rolesOf(shown.flatMap((r) => (r.resolution_id ? [r.resolution_id] : [])));
    const views = new Map(
      ranked.map((g) => [
        g.row.content_hash,
        groupView(g, g.row.resolution_id ? roles.get(g.row.resolution_id) : undefined),
      ]),
    );
    return toPage(
      rows,
      query.limit,
      duplicateCursor,
      (r) => [r.members, r.redundant, r.content_hash.trim()] as [number, string, string],
      (r) => views.get(r.content_hash)!,
    );
  }

  async compare(key: string): Promise<DuplicateComparisonView> {
    const group = await this.load(key);
    return comparisonView(group, await this.rolesFor(group.row));
  }

  /** Resolves a group with the given (or the proposed) canonical member. */
  async resolve(key: string, canonicalFileId?: string): Promise<DuplicateGroupView> {
    const group = await this.load(key);
    const canonical = canonicalFileId ?? group.choice.canonicalId;
    if (!group.members.some((m) => m.id === canonical)) {
      throw ProblemException.validation([
        { location: 'body', field: 'canonicalFileId', message: 'is not a member of this group' },
      ]);
    }
    let resolution = await this.resolutions.active(key);
    if (resolution && resolution.canonicalFileId !== canonical) throw alreadyResolved(key, resolution);
    if (!resolution) {
      try {
        resolution = await this.record(group, canonical);
      } catch (err) {
        if (!(err instanceof ActiveResolutionExistsError)) throw err;
        // Someone resolved it a moment ago: the same decision is fine, another one is a conflict.
        resolution = (await this.resolutions.active(key))!;
        if (resolution.canonicalFileId !== canonical) throw alreadyResolved(key, resolution);
      }
    }
    await this.announce('resolved', await this.resolutions.duplicatesOf([resolution.id]));
    this.logger.info({ group: key, resolutionId: resolution.id }, 'duplicate group resolved');
    const fresh = await this.load(key);
    return groupView(fresh, await this.rolesFor(fresh.row));
  }

  /** Undoes the resolution in force: its duplicates are released first, then the decision is marked undone. */
  async undo(key: string): Promise<void> {
    if (!parseGroupKey(key)) throw notFound(key);
    const resolution = await this.resolutions.active(key);
    if (!resolution) throw ProblemException.notFound(`Duplicate group ${key} has no resolution in force.`);
    // Announce before marking: if the bus fails, the resolution stays in force and a retry finishes the job.
    await this.announce('unresolved', await this.resolutions.duplicatesOf([resolution.id]));
    await this.resolutions.markUndone(resolution.id);
    this.logger.info({ group: key, resolutionId: resolution.id }, 'duplicate resolution undone');
  }

  /**
   * Resolves every unresolved exact group with its proposed canonical member. Decisions whose events were
   * lost earlier (the bus failed mid-way) are announced again first.
   */
  async resolveAll(): Promise<BulkOutcome> {
    for (;;) {
      const lost = await this.resolutions.unannounced(1000);
      if (lost.length === 0) break;
      await this.announce('resolved', lost);
      if (lost.length < 1000) break;
    }
    let groups = 0;
    let files = 0;
    const seen = new Set<string>();
    for (;;) {
      // Always the first page of unresolved groups: the ones just resolved leave the list.
      const rows = (await this.groups.listExact({ status: 'unresolved' }, undefined, BULK_BATCH)).filter(
        (r) => !seen.has(r.content_hash),
      );
      if (rows.length === 0) break;
      for (const r of rows) seen.add(r.content_hash);
      const ranked = await this.rank(rows);
      const created = await this.resolutions.createMany(ranked.map((g) => this.newResolution(g, g.choice.canonicalId)));
      const duplicates = await this.resolutions.duplicatesOf(created.map((r) => r.id));
      await this.announce('resolved', duplicates);
      groups += created.length;
      files += duplicates.length;
    }
    this.logger.info({ groups, files }, 'every unresolved duplicate group resolved');
    return { groups, files };
  }

  /** Undoes every resolution in force, in batches; each batch is released before it is marked undone. */
  async undoAll(): Promise<BulkOutcome> {
    let groups = 0;
    let files = 0;
    let after: string | null = null;
    for (;;) {
      const batch: StoredResolution[] = await this.resolutions.activeBatch(after, BULK_BATCH);
      if (batch.length === 0) break;
      const duplicates = await this.resolutions.duplicatesOf(batch.map((r) => r.id));
      await this.announce('unresolved', duplicates);
      for (const r of batch) if (await this.resolutions.markUndone(r.id)) groups += 1;
      files += duplicates.length;
      after = batch[batch.length - 1].id;
    }
    this.logger.info({ groups, files }, 'every duplicate resolution undone');
    return { groups, files };
  }

  private async load(key: string): Promise<RankedGroup> {
    const parsed = parseGroupKey(key);
    if (!parsed) throw notFound(key);
    if (parsed.kind !== 'exact') {
      throw ProblemException.notFound(`No duplicate group ${key}: same-recording groups come with fingerprinting.`);
    }
    const row = await this.groups.getExact(parsed.contentHash);
    if (!row) throw notFound(key);
    const [ranked] = await this.rank([row]);
    return ranked;
  }

  private async rank(rows: ExactGroupRow[]): Promise<RankedGroup[]> {
    const members = await this.groups.membersOfExact(rows.map((r) => r.content_hash.trim()));
    const byHash = new Map<string, MemberRow[]>();
    for (const m of members) byHash.set(m.content_hash.trim(), [...(byHash.get(m.content_hash.trim()) ?? []), m]);
    return rows.map((row) => rankGroup(row, byHash.get(row.content_hash.trim()) ?? []));
  }

  private async rolesFor(row: ExactGroupRow) {
    if (!row.resolution_id) return undefined;
    return (await this.groups.rolesOf([row.resolution_id])).get(row.resolution_id);
  }

  private record(group: RankedGroup, canonical: string): Promise<StoredResolution> {
    return this.resolutions.create(this.newResolution(group, canonical));
  }

  private newResolution(group: RankedGroup, canonical: string): NewResolution {
    return {
      id: randomUUID(),
      groupKey: exactGroupKey(group.row.content_hash),
      kind: 'exact',
      canonicalFileId: canonical,
      canonicalWasProposed: canonical === group.choice.canonicalId,
      reasons: group.choice.comparisons,
      members: group.members.map((m) => ({
        fileId: m.id,
        role: m.id === canonical ? 'canonical' : 'duplicate',
        contentHash: m.content_hash.trim(),
      })),
    };
  }

  private async announce(what: 'resolved' | 'unresolved', items: Announcement[]): Promise<void> {
    try {
      if (what === 'resolved') await this.events.announceResolved(items);
      else await this.events.announceUnresolved(items);
    } catch (err) {
      this.logger.error({ err, files: items.length }, `could not announce duplicate ${what} events`);
      throw ProblemException.unavailable(
        'The message bus did not confirm every file of this decision; send the same request again to finish it.',
      );
    }
  }
}

function notFound(key: string): ProblemException {
  return ProblemException.notFound(`No duplicate group ${JSON.stringify(key)}.`);
}

function alreadyResolved(key: string, resolution: StoredResolution): ProblemException {
  return new ProblemException({
    status: HttpStatus.CONFLICT,
    type: CONFLICT_PROBLEM,
    detail: `Duplicate group ${key} is already resolved with file ${resolution.canonicalFileId} as canonical; undo that resolution first.`,
  });
}
