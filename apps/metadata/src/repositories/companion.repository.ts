import type { DataSource, EntityManager } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';
import type { CompanionContent } from '../companions';

export interface FolderFile {
  id: string;
  name: string;
  kind: FileKind;
}

export interface FolderLink {
  companionFileId: string;
  mediaFileId: string;
  reason: string;
}

/** What is stored for a companion: the columns of companion_contents. */
export interface StoredCompanion {
  companionType: string;
  encoding: string | null;
  text: string | null;
  truncated: boolean;
  parsed: Record<string, unknown>;
}

/** Postgres cannot store NUL in text or jsonb. */
const noNul = (s: string) => s.replace(/\0/g, '');
const json = (value: unknown) => JSON.stringify(value).replace(/\\u0000/g, '');

/** How a parsed companion is stored: structure as jsonb, the readable text of .nfo/.txt as text. */
export function toStoredCompanion(content: CompanionContent): StoredCompanion {
  switch (content.type) {
    case 'cue': {
      const { encoding, ...cue } = content.cue;
      return {
        companionType: 'cue',
        encoding,
        text: null,
        truncated: content.inputTruncated,
        parsed: cue as unknown as Record<string, unknown>,
      };
    }
    case 'text': {
      const { text, encoding, truncated, ...rest } = content.text;
      return {
        companionType: content.format,
        encoding,
        text,
        truncated,
        parsed: rest as unknown as Record<string, unknown>,
      };
    }
    case 'playlist': {
      const { encoding, ...playlist } = content.playlist;
      return {
        companionType: 'playlist',
        encoding,
        text: null,
        truncated: content.inputTruncated,
        parsed: playlist as unknown as Record<string, unknown>,
      };
    }
    case 'checksums': {
      const { encoding, ...checksums } = content.checksums as typeof content.checksums & { encoding?: string };
      return {
        companionType: 'checksums',
        encoding: encoding ?? null,
        text: null,
        truncated: content.inputTruncated,
        parsed: checksums as unknown as Record<string, unknown>,
      };
    }
    case 'image':
      return {
        companionType: 'image',
        encoding: null,
        text: null,
        truncated: false,
        parsed: { ...content.image, bytes: content.bytes },
      };
  }
}

/**
 * companion_contents and companion_links, written only by the metadata stage. The links of a folder
 * are recomputed as a whole under a per-folder lock, so two files of one folder processed at once
 * cannot leave a mix of two views of the folder behind.
 */
export class CompanionRepository {
  constructor(private readonly db: DataSource) {}

  async saveContent(fileId: string, contentHash: string, stored: StoredCompanion): Promise<void> {
    await this.db.query(
      `INSERT INTO companion_contents (file_id, content_hash, companion_type, status, failure_reason, encoding, text, truncated, parsed)
       VALUES ($1, $2, $3, 'parsed', NULL, $4, $5, $6, $7)
       ON CONFLICT (file_id) DO UPDATE SET content_hash = excluded.content_hash, companion_type = excluded.companion_type,
         status = excluded.status, failure_reason = NULL, encoding = excluded.encoding, text = excluded.text,
         truncated = excluded.truncated, parsed = excluded.parsed, parsed_at = now()`,
      [
        fileId,
        contentHash,
        stored.companionType,
        stored.encoding,
        stored.text === null ? null : noNul(stored.text),
        stored.truncated,
        json(stored.parsed),
      ],
    );
  }

  /** Records why a companion could not be read. With `keepExisting`, a row for the same content stays. */
  async saveFailure(
    fileId: string,
    contentHash: string,
    companionType: string,
    reason: string,
    options: { keepExisting?: boolean } = {},
  ): Promise<void> {
    const guard = options.keepExisting ? ' WHERE companion_contents.content_hash <> excluded.content_hash' : '';
    await this.db.query(
      `INSERT INTO companion_contents (file_id, content_hash, companion_type, status, failure_reason)
       VALUES ($1, $2, $3, 'failed', $4)
       ON CONFLICT (file_id) DO UPDATE SET content_hash = excluded.content_hash, companion_type = excluded.companion_type,
         status = 'failed', failure_reason = excluded.failure_reason, encoding = NULL, text = NULL, truncated = false,
         parsed = NULL, parsed_at = now()${guard}`,
      [fileId, contentHash, companionType, noNul(reason).slice(0, 2000)],
    );
  }

  /**
   * Brings the links of one folder in line with what `compute` derives from the folder's present files and
   * the FILE entries of its parsed cue sheets, all read under the folder's lock inside one transaction.
   * Returns null, touching nothing, while the folder is as it was when its links were last computed.
   */
  async relinkFolder(
    dirKey: Buffer,
    compute: (files: FolderFile[], cueFiles: Map<string, string[]>) => FolderLink[],
  ): Promise<FolderLink[] | null> {
    const [stored]: { signature: string }[] = await this.db.query(
      `SELECT signature FROM companion_folders WHERE dir_key = $1`,
      [dirKey],
    );
    if (stored && stored.signature === (await this.folderSignature(this.db, dirKey))) return null;
    return this.db.transaction(async (m) => {
      // Serialises relinking per folder; hashing the bytes keeps the lock key independent of the encoding of names.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(encode($1::bytea, 'hex'), 7301))`, [dirKey]);
      const signature = await this.folderSignature(m, dirKey);
      const files = await this.folderFiles(m, dirKey);
      const cueFiles = await this.cueFileEntries(m, files);
      const links = compute(files, cueFiles);
      // Only the difference is written: a folder of a thousand tracks and one cover gains a link or two.
      const existing: { companion_file_id: string; media_file_id: string; reason: string }[] = await m.query(
        `SELECT companion_file_id, media_file_id, reason FROM companion_links WHERE dir_key = $1`,
        [dirKey],
      );
      const key = (c: string, f: string) => `${c}:${f}`;
      const wanted = new Map(links.map((l) => [key(l.companionFileId, l.mediaFileId), l]));
      const stale = existing.filter((e) => wanted.get(key(e.companion_file_id, e.media_file_id))?.reason !== e.reason);
      const have = new Map(existing.map((e) => [key(e.companion_file_id, e.media_file_id), e.reason]));
      const fresh = links.filter((l) => have.get(key(l.companionFileId, l.mediaFileId)) !== l.reason);
      if (stale.length > 0) {
        await m.query(
          `DELETE FROM companion_links l USING unnest($2::uuid[], $3::uuid[]) AS s(c, f)
            WHERE l.dir_key = $1 AND l.companion_file_id = s.c AND l.media_file_id = s.f`,
          [dirKey, stale.map((e) => e.companion_file_id), stale.map((e) => e.media_file_id)],
        );
      }
      if (fresh.length > 0) {
        await m.query(
          `INSERT INTO companion_links (companion_file_id, media_file_id, dir_key, reason)
           SELECT c, f, $1, r FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS l(c, f, r)
           ON CONFLICT (companion_file_id, media_file_id) DO UPDATE SET dir_key = excluded.dir_key, reason = excluded.reason, linked_at = now()`,
          [dirKey, fresh.map((l) => l.companionFileId), fresh.map((l) => l.mediaFileId), fresh.map((l) => l.reason)],
        );
      }
      await m.query(
        `INSERT INTO companion_folders (dir_key, signature) VALUES ($1, $2)
         ON CONFLICT (dir_key) DO UPDATE SET signature = excluded.signature, linked_at = now()`,
        [dirKey, signature],
      );
      return links;
    });
  }

  /**
   * What the links of a folder depend on, as one digest computed by the database: every present file
   * (id, kind, name) and the content of every parsed cue sheet. The version prefix changes with the rules.
   */
  private async folderSignature(q: Pick<EntityManager, 'query'>, dirKey: Buffer): Promise<string> {
    const [row]: { signature: string }[] = await q.query(
      `SELECT md5('links-v1|' || coalesce(string_agg(f.id::text || ':' || f.kind || ':' || f.name || ':' || coalesce(c.content_hash::text, ''),
                                                  '|' ORDER BY f.id), '')) AS signature
         FROM files f
         LEFT JOIN companion_contents c
           ON c.file_id = f.id AND c.companion_type = 'cue' AND c.status = 'parsed' AND c.content_hash = f.content_hash
        WHERE f.dir_key = $1 AND f.missing_since IS NULL`,
      [dirKey],
    );
    return row.signature;
  }

  private folderFiles(m: EntityManager, dirKey: Buffer): Promise<FolderFile[]> {
    return m.query(`SELECT id, name, kind FROM files WHERE dir_key = $1 AND missing_since IS NULL ORDER BY name, id`, [
      dirKey,
    ]);
  }

  /** FILE entries of the folder's cue sheets that were parsed from their current content, by cue id. */
  private async cueFileEntries(m: EntityManager, files: FolderFile[]): Promise<Map<string, string[]>> {
    const cueIds = files.filter((f) => f.kind === 'companion' && /\.cue$/i.test(f.name)).map((f) => f.id);
    if (cueIds.length === 0) return new Map();
    const rows: { file_id: string; names: string[] | null }[] = await m.query(
      `SELECT c.file_id, ARRAY(SELECT jsonb_array_elements(c.parsed->'files')->>'name') AS names
         FROM companion_contents c JOIN files f ON f.id = c.file_id AND f.content_hash = c.content_hash
        WHERE c.file_id = ANY($1::uuid[]) AND c.status = 'parsed' AND c.companion_type = 'cue'`,
      [cueIds],
    );
    return new Map(rows.map((r) => [r.file_id, (r.names ?? []).filter((n): n is string => typeof n === 'string')]));
  }
}
