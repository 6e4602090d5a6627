import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { TracklistLinkMaker, TracklistSource } from '@crateflow/persistence';

export interface TrackInput {
  position: number;
  artist: string | null;
  title: string | null;
  remix?: string | null;
  label?: string | null;
  cueSec: number | null;
  endSec?: number | null;
  speed?: number | null;
  confidence?: number | null;
  unknown: boolean;
  recordingHash?: string | null;
}

export interface TracklistInput {
  source: TracklistSource;
  sourceKey: string;
  sourceUrl?: string | null;
  title: string | null;
  artist: string | null;
  event: string | null;
  date: string | null;
  tracks: TrackInput[];
}

export interface SavedTracklist {
  id: string;
  version: number;
  changed: boolean;
}

/** What makes two versions equal: every field of every track, in order. */
export function trackSignature(tracks: readonly TrackInput[]): string {
  const round = (n: number | null | undefined) => (n == null ? null : Math.round(n * 1000) / 1000);
  const canonical = tracks.map((t) => [
    t.position,
    t.artist,
    t.title,
    t.remix ?? null,
    t.label ?? null,
    round(t.cueSec),
    round(t.endSec),
    round(t.speed),
    round(t.confidence),
    t.unknown,
    t.recordingHash ?? null,
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The tables tracklists owns: tracklists, their versions and tracks, and links to sets. */
export class TracklistStoreRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a tracklist of a source. The first save is version 1; a later save with different tracks adds a
   * version and makes it current; an identical one changes nothing (handlers may run twice).
   */
  async save(input: TracklistInput): Promise<SavedTracklist> {
    const signature = trackSignature(input.tracks);
    return this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO tracklists (id, source, source_key, source_url, title, artist, event, date, current_version)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)
         ON CONFLICT (source, source_key) DO NOTHING`,
        [
          randomUUID(),
          input.source,
          input.sourceKey,
          input.sourceUrl ?? null,
          input.title,
          input.artist,
          input.event,
          input.date,
        ],
      );
      const [row]: { id: string; current_version: number }[] = await m.query(
        `SELECT id, current_version FROM tracklists WHERE source = $1 AND source_key = $2 FOR UPDATE`,
        [input.source, input.sourceKey],
      );
      await m.query(
        `UPDATE tracklists SET source_url = COALESCE($2, source_url), title = $3, artist = $4, event = $5, date = $6,
                updated_at = now() WHERE id = $1`,
        [row.id, input.sourceUrl ?? null, input.title, input.artist, input.event, input.date],
      );
      if (row.current_version > 0) {
        const [current]: { signature: string }[] = await m.query(
          `SELECT signature FROM tracklist_versions WHERE tracklist_id = $1 AND version = $2`,
          [row.id, row.current_version],
        );
        if (current?.signature === signature) return { id: row.id, version: row.current_version, changed: false };
      }
      const version = row.current_version + 1;
      await m.query(
        `INSERT INTO tracklist_versions (tracklist_id, version, signature, track_count) VALUES ($1, $2, $3, $4)`,
        [row.id, version, signature, input.tracks.length],
      );
      await this.insertTracks(m, row.id, version, input.tracks);
      await m.query(`UPDATE tracklists SET current_version = $2 WHERE id = $1`, [row.id, version]);
      return { id: row.id, version, changed: true };
    });
  }

  private async insertTracks(m: EntityManager, id: string, version: number, tracks: TrackInput[]): Promise<void> {
    for (let i = 0; i < tracks.length; i += 500) {
      const chunk = tracks.slice(i, i + 500);
      const cols = 14;
      const values: unknown[] = [];
      const rows = chunk.map((t, j) => {
        values.push(
          randomUUID(),
          id,
          version,
          t.position,
          t.artist,
          t.title,
          t.remix ?? null,
          t.label ?? null,
          t.cueSec,
          t.endSec ?? null,
          t.speed ?? null,
          t.confidence ?? null,
          t.unknown,
          t.recordingHash ?? null,
        );
        return `(${Array.from({ length: cols }, (_, k) => `$${j * cols + k + 1}`).join(', ')})`;
      });
      await m.query(
        `INSERT INTO tracklist_tracks (id, tracklist_id, version, position, artist, title, remix, label, cue_sec, end_sec,
                                       speed, confidence, unknown, recording_hash) VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }

  /**
   * Links a tracklist to a set's content. A link a person asked for is never replaced by the matcher or a
   * source; a person's request replaces any other.
   */
  async link(
    tracklistId: string,
    contentHash: string,
    madeBy: TracklistLinkMaker,
    score: number | null,
  ): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO tracklist_links (tracklist_id, content_hash, made_by, score) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tracklist_id, content_hash) DO UPDATE SET made_by = EXCLUDED.made_by, score = EXCLUDED.score, linked_at = now()
        WHERE tracklist_links.made_by <> 'person' OR EXCLUDED.made_by = 'person'
       RETURNING tracklist_id`,
      [tracklistId, contentHash, madeBy, score],
    );
    return rows.length > 0;
  }

  async byId(id: string): Promise<{ id: string; source: TracklistSource; source_url: string | null } | null> {
    const rows = await this.db.query(`SELECT id, source, source_url FROM tracklists WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }
}
