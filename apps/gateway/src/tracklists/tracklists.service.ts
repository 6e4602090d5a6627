import { HttpStatus, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { hasAudio, type FileKind } from '@crateflow/contracts';
import { ProblemException } from '../http/problem';
import { renderCueSheet } from '../mixes/cue-sheet';
import { clockTime, renderPlainText } from './plain-text';
import { agreedConfidence, sameTrack } from './source-agreement';
import { TracklistDecisionsRepository } from './tracklist-decisions.repository';
import { TracklistRequestsRepository } from './tracklist-requests.repository';
import { TracklistsReadRepository, type LinkRow, type TrackRow, type TracklistRow } from './tracklists-read.repository';
import type { ListTracklistsQuery, TrackEditBody } from './tracklists.schemas';

type Source = TracklistRow['source'];

export interface TrackView {
  id: string;
  position: number;
  artist: string | null;
  title: string | null;
  remix: string | null;
  label: string | null;
  cueSec: number | null;
  cue: string | null;
  endSec: number | null;
  speed: number | null;
  confidence: number | null;
  unknown: boolean;
  edited: boolean;
  agreedBy: Source[];
}

/** Tracklists: reads, person-made decisions, and commands to the tracklists service. */
@Injectable()
export class GatewayTracklistsService {
  constructor(
    private readonly read: TracklistsReadRepository,
    private readonly decisions: TracklistDecisionsRepository,
    private readonly requests: TracklistRequestsRepository,
  ) {}

  async list(q: ListTracklistsQuery) {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const rows = await this.read.list(q, after);
    const page = rows.slice(0, q.limit);
    const links = await this.read.links(page.map((r) => r.id));
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.summary(r, links)),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  async detail(id: string, version?: number) {
    const row = await this.get(id);
    const shown = version ?? row.current_version;
    const versions = await this.read.versions(id);
    if (!versions.some((v) => v.version === shown))
      throw ProblemException.notFound(`Tracklist ${id} has no version ${shown}.`);
    const tracks = (await this.read.tracks(id, shown)).map(trackView);
    const links = await this.read.links([id]);
    return {
      ...this.summary(row, links),
      tracks,
      versions: versions.map((v) => ({
        version: v.version,
        trackCount: v.track_count,
        createdAt: v.created_at.toISOString(),
      })),
      shownVersion: shown,
    };
  }

  /** A mix's look-up record and every linked tracklist, side by side, with agreement between sources. */
  async forMix(fileId: string) {
    const file = await this.file(fileId);
    const hash = file.content_hash.trim();
    const lookup = await this.read.lookup(hash);
    const details = [];
    for (const id of await this.read.linkedTo(hash)) details.push(await this.detail(id));
    for (const d of details) {
      for (const t of d.tracks) {
        const agreeing = details.filter(
          (o) => o.id !== d.id && o.source !== d.source && o.tracks.some((x) => sameTrack(t, x)),
        );
        t.agreedBy = [...new Set(agreeing.map((o) => o.source))];
        t.confidence = agreedConfidence(t.confidence, t.agreedBy.length);
      }
    }
    return {
      fileId: file.id,
      name: file.name,
      lookup: lookup && {
        status: lookup.status,
        query: lookup.query,
        attempts: lookup.attempts,
        nextAttemptAt: lookup.next_attempt_at?.toISOString() ?? null,
        lastError: lookup.last_error,
        candidates: lookup.candidates,
      },
      tracklists: details,
    };
  }

  async search(fileId: string, query?: string) {
    const file = await this.file(fileId);
    if (!hasAudio(file.kind as FileKind)) {
      throw new ProblemException({
        status: HttpStatus.UNPROCESSABLE_ENTITY,
        detail: `File ${fileId} is a ${file.kind} file, not a set.`,
      });
    }
    return { requestId: await this.publish(() => this.requests.search(file.id, query)), status: 'queued' as const };
  }

  async scrape(url: string, fileId?: string) {
    if (fileId) await this.file(fileId);
    return { requestId: await this.publish(() => this.requests.scrape(url, fileId)), status: 'queued' as const };
  }

  async rescrape(id: string) {
    const row = await this.get(id);
    if (row.source !== '1001tracklists' || !row.source_url) {
      throw new ProblemException({
        status: HttpStatus.CONFLICT,
        detail: `Tracklist ${id} comes from ${row.source}; only 1001Tracklists pages can be read again.`,
      });
    }
    return {
      requestId: await this.publish(() => this.requests.scrape(row.source_url!, undefined, id)),
      status: 'queued' as const,
    };
  }

  async link(id: string, fileId: string, linked: boolean) {
    await this.get(id);
    const file = await this.file(fileId);
    await this.decisions.link(id, file.content_hash.trim(), linked);
    return this.detail(id);
  }

  async review(id: string, status: 'proposed' | 'approved' | 'rejected') {
    await this.get(id);
    await this.decisions.review(id, status);
    return this.detail(id);
  }

  async editTrack(id: string, trackId: string, changes: TrackEditBody) {
    await this.track(id, trackId);
    await this.decisions.editTrack(id, trackId, changes);
    return this.detail(id);
  }

  async deleteTrack(id: string, trackId: string) {
    await this.track(id, trackId);
    await this.decisions.deleteTrack(id, trackId, 'removed by a person');
  }

  async rejectBelow(id: string, threshold: number) {
    const row = await this.get(id);
    return { rejected: await this.decisions.rejectBelow(id, row.current_version, threshold) };
  }

  /** A CUE sheet for the mix file: the named one, else the first present linked file. */
  async cueSheet(id: string, fileId?: string) {
    const d = await this.detail(id);
    const timed = d.tracks.filter((t) => t.cueSec != null);
    if (timed.length === 0) {
      throw new ProblemException({
        status: HttpStatus.UNPROCESSABLE_ENTITY,
        detail: `Tracklist ${id} has no cue times; a CUE sheet needs a start for every track.`,
      });
    }
    const mixFileId = fileId ?? d.links.flatMap((l) => l.fileIds)[0];
    const mix = mixFileId ? await this.file(mixFileId) : null;
    const name = mix?.name ?? `${d.title ?? 'tracklist'}.wav`;
    return {
      fileName: name.replace(/\.[^.]*$/, '') + '.cue',
      sheet: renderCueSheet({
        fileName: name,
        performer: d.artist,
        title: d.title ?? d.event,
        tracks: timed.map((t) => ({
          startSec: t.cueSec!,
          performer: t.artist,
          title: t.title && t.remix ? `${t.title} (${t.remix})` : t.title,
        })),
        comment: `Crateflow tracklist ${d.id} (${d.source}, version ${d.shownVersion})`,
      }),
    };
  }

  async plainText(id: string) {
    const d = await this.detail(id);
    const heading = [d.artist, d.event ?? d.title, d.date].filter(Boolean).join(' - ') || 'Tracklist';
    return { fileName: `${(d.title ?? 'tracklist').slice(0, 120)}.txt`, text: renderPlainText(heading, d.tracks) };
  }

  private summary(r: TracklistRow, links: LinkRow[]) {
    return {
      id: r.id,
      source: r.source,
      sourceUrl: r.source_url,
      title: r.title,
      artist: r.artist,
      event: r.event,
      date: r.date,
      status: r.status,
      version: r.current_version,
      trackCount: r.track_count ?? 0,
      links: links
        .filter((l) => l.tracklist_id === r.id)
        .map((l) => ({ contentHash: l.content_hash.trim(), fileIds: l.file_ids, madeBy: l.made_by, score: l.score })),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  private async get(id: string): Promise<TracklistRow> {
    if (!z.uuid().safeParse(id).success) throw ProblemException.notFound(`No tracklist ${JSON.stringify(id)}.`);
    const [row] = await this.read.byIds([id]);
    if (!row) throw ProblemException.notFound(`No tracklist ${id}.`);
    return row;
  }

  private async track(id: string, trackId: string) {
    await this.get(id);
    const t = z.uuid().safeParse(trackId).success ? await this.read.track(id, trackId) : null;
    if (!t) throw ProblemException.notFound(`Tracklist ${id} has no track ${trackId}.`);
    return t;
  }

  private async file(fileId: string) {
    if (!z.uuid().safeParse(fileId).success) throw ProblemException.notFound(`No file ${JSON.stringify(fileId)}.`);
    const f = await this.read.file(fileId);
    if (!f) throw ProblemException.notFound(`No file ${fileId}.`);
    return f;
  }

  private async publish(fn: () => Promise<string>): Promise<string> {
    try {
      return await fn();
    } catch {
      throw ProblemException.unavailable('The message bus did not accept the request; try again.');
    }
  }
}

function trackView(t: TrackRow): TrackView {
  const c = t.changes ?? {};
  const cueSec = 'cueSec' in c ? (c.cueSec ?? null) : t.cue_sec;
  const artist = 'artist' in c ? (c.artist ?? null) : t.artist;
  const title = 'title' in c ? (c.title ?? null) : t.title;
  return {
    id: t.id,
    position: t.position,
    artist,
    title,
    remix: t.remix,
    label: t.label,
    cueSec,
    cue: cueSec == null ? null : clockTime(cueSec),
    endSec: t.end_sec,
    speed: t.speed,
    confidence: t.confidence,
    unknown: t.unknown && !artist && !title,
    edited: Object.keys(c).length > 0,
    agreedBy: [],
  };
}

function encodeCursor(r: TracklistRow): string {
  return Buffer.from(JSON.stringify([r.updated_at.toISOString(), r.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof updatedAt === 'string' && !Number.isNaN(Date.parse(updatedAt)) && z.uuid().safeParse(id).success)
      return { updatedAt, id };
  } catch {
    /* reported below */
  }
  throw ProblemException.validation([
    { location: 'query', field: 'cursor', message: 'not a cursor this API gave out' },
  ]);
}
