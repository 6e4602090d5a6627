import type { PayloadOf, Subjects } from '@crateflow/contracts';
import { hasAudio, type FileKind } from '@crateflow/contracts';
import { lookupDue, nextLookupState, type LookupResult } from './lookups/lookup-rules';
import { chooseResult } from './matching/choose-result';
import { deriveQuery } from './query/derive-query';
import type { LibraryReadRepository, SetFileRow } from './repositories/library-read.repository';
import type { LookupRecord, LookupsRepository } from './repositories/lookups.repository';
import type { TracklistStoreRepository } from './repositories/tracklist-store.repository';
import { classifySet, sameLength } from './sets/set-detection';
import type { Clock } from './site/clock';
import type { ScrapedTracklist } from './site/page-parsers';
import type { TracklistsSiteClient } from './site/tracklists-site.client';
import { tracksFromCue, tracksFromTimeline } from './sources/mix-sources';

type LookupFinished = PayloadOf<typeof Subjects.tracklistLookupFinished>;
type Saved = PayloadOf<typeof Subjects.tracklistSaved>;

/** What the service tells the rest of the system. */
export interface TracklistEvents {
  lookupFinished(event: LookupFinished): Promise<void>;
  saved(event: Saved): Promise<void>;
}

export interface TracklistsDeps {
  library: LibraryReadRepository;
  store: TracklistStoreRepository;
  lookups: LookupsRepository;
  site: TracklistsSiteClient;
  clock: Clock;
  events: TracklistEvents;
}

/** Candidate rows below this score are not worth a person's time. */
const CANDIDATE_MIN_SCORE = 50;
const MAX_CANDIDATES = 10;

/** The 1001Tracklists page id, stable across title changes in the URL's slug. */
export function pageKey(url: string): string {
  const u = new URL(url);
  const m = /\/tracklist\/([^/]+)\//.exec(u.pathname);
  return m ? m[1] : u.pathname;
}

/**
 * The tracklists stage: 1001Tracklists look-ups and scrapes for sets, and tracklists made from a mix's own
 * fingerprint timeline and cue sheets. Free of NATS and HTTP routing; side effects go through the repositories.
 */
export class TracklistsService {
  constructor(private readonly deps: TracklistsDeps) {}

  async search(cmd: PayloadOf<typeof Subjects.tracklistSearchRequested>): Promise<LookupFinished> {
    const finish = async (e: Omit<LookupFinished, 'requestId' | 'fileId'>) => {
      const event = { requestId: cmd.requestId, fileId: cmd.fileId, ...e };
      await this.deps.events.lookupFinished(event);
      return event;
    };
    if (!cmd.fileId) return finish({ status: 'skipped', reason: 'no file named: a look-up is made for a set file' });
    const file = await this.deps.library.file(cmd.fileId);
    if (!file) return finish({ status: 'skipped', reason: `no file ${cmd.fileId}` });
    const contentHash = file.content_hash.trim();
    if (!hasAudio(file.kind as FileKind)) {
      return finish({ contentHash, status: 'skipped', reason: `a ${file.kind} file is not a set` });
    }
    const byPerson = cmd.byPerson ?? false;
    const set = classifySet({ name: file.name, durationSec: file.duration_sec, trackNumberTag: file.track_no != null });
    if (set.kind !== 'set' && !byPerson) {
      return finish({ contentHash, status: 'skipped', reason: `not a set (${set.kind}: ${set.reasons.join(', ')})` });
    }
    const now = this.deps.clock.now();
    const record = await this.deps.lookups.get(contentHash);
    if (!lookupDue(record, now, byPerson)) {
      return finish({
        contentHash,
        status: record!.status as LookupFinished['status'],
        tracklistId: record!.tracklistId ?? undefined,
        reason: 'looked up before; not due again yet',
      });
    }
    const query = deriveQuery(cmd.query ?? file.name);
    if (!query.text)
      return this.record(
        file,
        record,
        query.text,
        'nothing',
        { reason: 'the name holds nothing to search for' },
        finish,
      );

    const copy = await this.resultOfCopy(file, query.text);
    if (copy) {
      if (copy.tracklistId) await this.deps.store.link(copy.tracklistId, contentHash, 'matcher', null);
      await this.deps.lookups.put({ ...copy, contentHash });
      return finish({
        contentHash,
        status: copy.status as LookupFinished['status'],
        tracklistId: copy.tracklistId ?? undefined,
        reason: 'shared with a copy of this set',
      });
    }

    const searched = await this.deps.site.search(query.text);
    if (searched.kind !== 'rows') {
      return this.record(
        file,
        record,
        query.text,
        'transient',
        { reason: searched.reason, blocked: searched.kind === 'blocked' },
        finish,
      );
    }
    const choice = chooseResult(query, searched.rows);
    const candidates = choice.ranked
      .filter((r) => r.score >= CANDIDATE_MIN_SCORE)
      .slice(0, MAX_CANDIDATES)
      .map((r) => ({ ...r.row, score: r.score }));
    if (!choice.autoLink || !choice.winner) {
      return this.record(
        file,
        record,
        query.text,
        candidates.length ? 'candidates' : 'nothing',
        { candidates },
        finish,
      );
    }
    const page = await this.deps.site.tracklist(choice.winner.row.url);
    if (page.kind === 'found') {
      const saved = await this.saveScraped(page.url, page.tracklist);
      await this.deps.store.link(saved.id, contentHash, 'matcher', choice.winner.score);
      return this.record(file, record, query.text, 'found', { candidates, tracklistId: saved.id }, finish);
    }
    if (page.kind === 'not-found' || page.kind === 'invalid') {
      return this.record(file, record, query.text, 'candidates', { candidates, reason: page.reason }, finish);
    }
    return this.record(
      file,
      record,
      query.text,
      'transient',
      { candidates, reason: page.reason, blocked: page.kind === 'blocked' },
      finish,
    );
  }

  async scrape(cmd: PayloadOf<typeof Subjects.tracklistScrapeRequested>): Promise<LookupFinished> {
    const finish = async (e: Omit<LookupFinished, 'requestId' | 'fileId'>) => {
      const event = { requestId: cmd.requestId, fileId: cmd.fileId, ...e };
      await this.deps.events.lookupFinished(event);
      return event;
    };
    const file = cmd.fileId ? await this.deps.library.file(cmd.fileId) : null;
    if (cmd.fileId && !file) return finish({ status: 'skipped', reason: `no file ${cmd.fileId}` });
    const page = await this.deps.site.tracklist(cmd.url);
    if (page.kind !== 'found') {
      return finish({
        contentHash: file?.content_hash.trim(),
        status: page.kind === 'blocked' ? 'blocked' : 'failed',
        tracklistId: cmd.tracklistId,
        reason: page.reason,
      });
    }
    const saved = await this.saveScraped(page.url, page.tracklist);
    if (file) {
      const contentHash = file.content_hash.trim();
      await this.deps.store.link(saved.id, contentHash, 'person', null);
      const record = await this.deps.lookups.get(contentHash);
      await this.deps.lookups.put({
        contentHash,
        query: record?.query ?? deriveQuery(file.name).text,
        ...nextLookupState(record, 'found', this.deps.clock.now()),
        lastError: null,
        candidates: record?.candidates ?? [],
        tracklistId: saved.id,
      });
      return finish({ contentHash, status: 'found', tracklistId: saved.id });
    }
    return finish({ status: 'found', tracklistId: saved.id });
  }

  /** A finished mix identification becomes (a new version of) the mix's fingerprint tracklist. */
  async mixIdentified(event: PayloadOf<typeof Subjects.mixIdentifyFinished>): Promise<string | null> {
    if (event.status !== 'done') return null;
    const job = await this.deps.library.mixJob(event.jobId);
    if (!job || job.status !== 'done') return null;
    const entries = job.entries ?? [];
    const names = await this.deps.library.tagsOfContents(entries.map((e) => e.contentHash.trim()));
    const tracks = tracksFromTimeline(entries, job.unknown ?? [], names);
    const mix = await this.deps.library.file(job.file_id);
    const contentHash = job.content_hash.trim();
    const q = mix ? deriveQuery(mix.name) : null;
    const saved = await this.deps.store.save({
      source: 'fingerprint',
      sourceKey: contentHash,
      title: mix?.title ?? (mix ? mix.name.replace(/\.[^.]*$/, '') : null),
      artist: mix?.artist ?? q?.artist ?? null,
      event: q?.event ?? null,
      date: q?.date?.value ?? null,
      tracks,
    });
    await this.deps.store.link(saved.id, contentHash, 'source', null);
    await this.deps.events.saved({
      tracklistId: saved.id,
      source: 'fingerprint',
      version: saved.version,
      changed: saved.changed,
    });
    return saved.id;
  }

  /** A cue sheet companion (or the media file it belongs to) was read: its tracks become a `cue` tracklist. */
  async metadataCompleted(event: { fileId: string }): Promise<string[]> {
    const ids: string[] = [];
    for (const c of await this.deps.library.cueCompanionsTouching(event.fileId)) {
      const cue = tracksFromCue(c.parsed, c.media_name);
      if (!cue) continue;
      const saved = await this.deps.store.save({
        source: 'cue',
        sourceKey: `${c.companion_file_id}:${c.media_content_hash.trim()}`,
        title: cue.title,
        artist: cue.artist,
        event: null,
        date: cue.date,
        tracks: cue.tracks,
      });
      await this.deps.store.link(saved.id, c.media_content_hash.trim(), 'source', null);
      if (saved.changed) {
        await this.deps.events.saved({ tracklistId: saved.id, source: 'cue', version: saved.version, changed: true });
      }
      ids.push(saved.id);
    }
    return ids;
  }

  private async saveScraped(url: string, t: ScrapedTracklist) {
    const saved = await this.deps.store.save({
      source: '1001tracklists',
      sourceKey: pageKey(url),
      sourceUrl: url,
      title: t.title,
      artist: t.artist,
      event: t.event,
      date: t.date,
      tracks: t.tracks.map((x) => ({ ...x, confidence: null })),
    });
    await this.deps.events.saved({
      tracklistId: saved.id,
      source: '1001tracklists',
      version: saved.version,
      changed: saved.changed,
    });
    return saved;
  }

  /** A finished look-up of another copy of the same set (same query, durations within max(45 s, 2 %)). */
  private async resultOfCopy(file: SetFileRow, query: string): Promise<LookupRecord | null> {
    const copies = await this.deps.lookups.settledWithQuery(query, file.content_hash.trim());
    for (const c of copies) {
      if (c.contentHash === file.content_hash.trim()) continue;
      if (sameLength(c.durationSec, file.duration_sec)) return c;
    }
    return null;
  }

  private async record(
    file: SetFileRow,
    previous: LookupRecord | null,
    query: string,
    result: LookupResult,
    extra: { candidates?: LookupRecord['candidates']; tracklistId?: string; reason?: string; blocked?: boolean },
    finish: (e: Omit<LookupFinished, 'requestId' | 'fileId'>) => Promise<LookupFinished>,
  ): Promise<LookupFinished> {
    const contentHash = file.content_hash.trim();
    const state = nextLookupState(previous, result, this.deps.clock.now());
    await this.deps.lookups.put({
      contentHash,
      query,
      ...state,
      lastError: extra.reason ?? null,
      candidates: extra.candidates ?? previous?.candidates ?? [],
      tracklistId: extra.tracklistId ?? previous?.tracklistId ?? null,
    });
    const status: LookupFinished['status'] =
      extra.blocked && state.status === 'retrying' ? 'blocked' : state.status === 'pending' ? 'failed' : state.status;
    return finish({ contentHash, status, tracklistId: extra.tracklistId, reason: extra.reason });
  }
}
