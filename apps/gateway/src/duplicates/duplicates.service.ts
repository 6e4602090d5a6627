import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@crateflow/observability';
import { LOGGER } from '@crateflow/service-host';
import { cursorCodec, type Page } from '../http/cursor';
import { ProblemException } from '../http/problem';
import { DuplicateEventsRepository } from './duplicate-events.repository';
import {
  DuplicateGroupRepository,
  compareIndexEntries,
  type GroupIndexEntry,
  type MemberRow,
} from './duplicate-group.repository';
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
import { parseGroupKey } from './group-key';

const duplicateCursor = cursorCodec(DuplicateCursorSchema);
export const CONFLICT_PROBLEM = 'urn:crateflow:problem:conflict';
/** Groups handled per step of a bulk resolve or undo. */
export const BULK_BATCH = 200;
/**
 * How long the list of exact groups (one aggregate over every file) is reused. Only which hashes form groups
 * is cached: members, their tags and the decisions are read fresh for every page. New copies found by a scan
 * show up within this time.
 */
export const GROUP_INDEX_TTL_MS = 15_000;

/**
 * Duplicate groups and the decisions about them. The gateway records each decision (the one writer of
 * review decisions) and announces it per file; ingest's lifecycle tracker marks the files. Nothing is
 * moved or deleted. Every action can be repeated safely: a repeat announces the same events again, under
 * the same message ids, so a request that failed half-way is finished by sending it again.
 */
@Injectable()
export class DuplicatesService {
  private index?: { at: number; entries: Promise<GroupIndexEntry[]> };

  constructor(
    private readonly groups: DuplicateGroupRepository,
    private readonly resolutions: DuplicateResolutionRepository,
    private readonly events: DuplicateEventsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Largest groups first, `limit` at a time after the cursor; `status` keeps resolved or unresolved ones. */
  async list(query: ListDuplicatesQuery, now = Date.now()): Promise<Page<DuplicateGroupView>> {
    const after = query.cursor === undefined ? undefined : duplicateCursor.decode(query.cursor);
    let entries = await this.groupIndex(now);
    if (query.status) {
      const active = await this.groups.activeGroupKeys();
      const wanted = query.status === 'resolved';
      entries = entries.filter((e) => active.has(e.key) === wanted);
    }
    const start = after ? firstAfter(entries, after) : 0;
    const shown = entries.slice(start, start + query.limit);
    const hasMore = start + query.limit < entries.length;
    const ranked = await this.rank(shown);
    const roles = await this.groups.rolesOf(ranked.flatMap((g) => (g.resolution ? [g.resolution.id] : [])));
    const last = shown[shown.length - 1];
    return {
      // A group whose copies vanished since the index was built is left out of its page.
      items: ranked
        .filter((g) => g.members.length >= 2)
        .map((g) => groupView(g, g.resolution ? roles.get(g.resolution.id) : undefined)),
      nextCursor: hasMore && last ? duplicateCursor.encode([last.members, String(last.redundant), last.key]) : null,
    };
  }

  async compare(key: string): Promise<DuplicateComparisonView> {
    const group = await this.load(key);
    return comparisonView(group, await this.rolesFor(group));
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
        resolution = await this.resolutions.create(this.newResolution(group, canonical));
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
    return groupView(fresh, await this.rolesFor(fresh));
  }

  /** Undoes the resolution in force: its duplicates are released first, then the decision is marked undone. */
  async undo(key: string): Promise<void> {
    if (!parseGroupKey(key)) throw notFound(key);
    const resolution = await this.resolutions.active(key);
    if (!resolution) throw ProblemException.notFound(`Duplicate group ${key} has no resolution in force.`);
    // Announce before marking: if the bus fails, the resolution stays in force and a retry finishes the job.
    await this.announce('unresolved', await this.resolutions.duplicatesOf([resolution.id]));
    await this.resolutions.markUndone([resolution.id]);
    this.logger.info({ group: key, resolutionId: resolution.id }, 'duplicate resolution undone');
  }

  /**
   * Resolves every unresolved group (exact and same-recording) with its proposed canonical member, in batches. Decisions whose
   * events were lost earlier (the bus failed mid-way) are announced again first.
   */
  async resolveAll(): Promise<BulkOutcome> {
    for (;;) {
      const lost = await this.resolutions.unannounced(1000);
      if (lost.length > 0) await this.announce('resolved', lost);
      if (lost.length < 1000) break;
    }
    // A fresh index: the decisions are about the library as it is now.
    const entries = await this.allGroups();
    const active = await this.groups.activeGroupKeys();
    const unresolved = entries.filter((e) => !active.has(e.key));
    let groups = 0;
    let files = 0;
    for (let i = 0; i < unresolved.length; i += BULK_BATCH) {
      const ranked = (await this.rank(unresolved.slice(i, i + BULK_BATCH))).filter(
        (g) => g.members.length >= 2 && !g.resolution,
      );
      // A group resolved meanwhile by someone else is skipped by the insert.
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
      groups += await this.resolutions.markUndone(batch.map((r) => r.id));
      files += duplicates.length;
      after = batch[batch.length - 1].id;
    }
    this.logger.info({ groups, files }, 'every duplicate resolution undone');
    return { groups, files };
  }

  /** Exact and same-recording groups together, largest first. */
  private async allGroups(): Promise<GroupIndexEntry[]> {
    const [exact, recording] = await Promise.all([this.groups.exactGroupIndex(), this.groups.recordingGroupIndex()]);
    return [...exact, ...recording].sort(compareIndexEntries);
  }

  /** The cached index of every group; concurrent requests share one computation, a failed one is not kept. */
  private groupIndex(now: number): Promise<GroupIndexEntry[]> {
    if (this.index && now - this.index.at < GROUP_INDEX_TTL_MS) return this.index.entries;
    const entries = this.allGroups();
    const cached = { at: now, entries };
    this.index = cached;
    entries.catch(() => {
      if (this.index === cached) this.index = undefined;
    });
    return entries;
  }

  private async load(key: string): Promise<RankedGroup> {
    const parsed = parseGroupKey(key);
    if (!parsed) throw notFound(key);
    const entry =
      parsed.kind === 'exact'
        ? await this.groups.exactGroup(parsed.contentHash)
        : await this.groups.recordingGroup(parsed.recordingId);
    if (!entry) throw notFound(key);
    const [ranked] = await this.rank([entry]);
    if (ranked.members.length < 2) throw notFound(key);
    return ranked;
  }

  /** Members (read now), the resolution in force and the canonical proposal of each group. */
  private async rank(entries: GroupIndexEntry[]): Promise<RankedGroup[]> {
    const hashes = [...new Set(entries.flatMap((e) => e.contentHashes))];
    const [members, resolutions] = await Promise.all([
      this.groups.membersOfContents(hashes),
      this.groups.activeResolutions(entries.map((e) => e.key)),
    ]);
    const byHash = new Map<string, MemberRow[]>();
    for (const m of members) {
      const hash = m.content_hash.trim();
      byHash.set(hash, [...(byHash.get(hash) ?? []), m]);
    }
    return entries
      .map((e) => ({ e, members: e.contentHashes.flatMap((h) => byHash.get(h) ?? []) }))
      .filter(({ members }) => members.length > 0)
      .map(({ e, members }) => rankGroup(e, resolutions.get(e.key) ?? null, members));
  }

  private async rolesFor(group: RankedGroup) {
    if (!group.resolution) return undefined;
    return (await this.groups.rolesOf([group.resolution.id])).get(group.resolution.id);
  }

  private newResolution(group: RankedGroup, canonical: string): NewResolution {
    return {
      id: randomUUID(),
      groupKey: group.entry.key,
      kind: group.entry.kind,
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

/** Position of the first entry after the keyset (entries are sorted largest first). */
export function firstAfter(entries: GroupIndexEntry[], after: readonly [number, string, string]): number {
  const key = { members: after[0], redundant: Number(after[1]), key: after[2] };
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIndexEntries(entries[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
