import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { classifyFileName, extensionOf, type FileKind } from '@crateflow/contracts';

/**
 * File names that break programs which pass the lossy display string instead of the exact bytes: an old CP1252
 * rip on a Linux NAS (not valid UTF-8), a name in NFD (as macOS writes it), a component of 240 bytes, and a
 * name that starts with dashes (an option, to a program that takes it as an argument).
 */
export function hostileNames(ext: string): { label: string; name: Buffer }[] {
  return [
    {
      label: 'invalid UTF-8',
      name: Buffer.concat([
        Buffer.from('Caf'),
        Buffer.from([0xe9]),
        Buffer.from(' del Mar ('),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`).${ext}`),
      ]),
    },
    { label: 'NFD', name: Buffer.from(`Cafe\u0301 Ro\u0308yksopp – Noche.${ext}`.normalize('NFD')) },
    { label: '240-byte component', name: Buffer.from(`${'Long Name '.repeat(24).slice(0, 239 - ext.length)}.${ext}`) },
    { label: 'leading dashes', name: Buffer.from(`-i -y --version.${ext}`) },
  ];
}

/** A temporary folder whose files have hostile names, made by ffmpeg (or copied) under a plain name, then renamed. */
export class HostileFiles {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cf-hostile-'));

  /** `source` re-encoded per name (trimmed from a different offset each, so every file has its own content). */
  audio(source: string, ext: string, seconds = 20): { label: string; path: Buffer }[] {
    return hostileNames(ext).map(({ label, name }, i) => {
      const plain = path.join(this.dir, `plain-${i}.${ext}`);
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-nostdin',
        '-ss',
        String(i * 3),
        '-t',
        String(seconds),
        '-i',
        source,
        plain,
      ]);
      const target = Buffer.concat([Buffer.from(`${this.dir}/`), name]);
      renameSync(plain, target);
      return { label, path: target };
    });
  }

  /** `content` written under each hostile name (companion files: text, playlists). */
  text(content: string, ext: string): { label: string; path: Buffer }[] {
    return hostileNames(ext).map(({ label, name }) => {
      const target = Buffer.concat([Buffer.from(`${this.dir}/`), name]);
      writeFileSync(target, `${content}\n(${label})\n`);
      return { label, path: target };
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RecordedFile {
  id: string;
  pathKey: Buffer;
  kind: FileKind;
  contentHash: string;
}

/** Records files by their exact path bytes, as ingest does (the display path is the lossy UTF-8 reading). */
export async function recordFilesByBytes(db: DataSource, paths: Buffer[]): Promise<RecordedFile[]> {
  const scanId = randomUUID();
  const rows = paths.map((p) => {
    const slash = p.lastIndexOf(0x2f);
    const nameBytes = p.subarray(slash + 1);
    const name = nameBytes.toString('utf8').normalize('NFC');
    const kind = classifyFileName(name);
    if (!kind) throw new Error(`${name} is not a kind ingest records`);
    const content = readFileSync(p);
    return {
      id: randomUUID(),
      display: p.toString('utf8').normalize('NFC'),
      pathKey: p,
      dirKey: p.subarray(0, slash),
      name,
      ext: extensionOf(name),
      kind,
      size: content.length,
      contentHash: createHash('sha256').update(content).digest('hex'),
      isUtf8: Buffer.from(p.toString('utf8')).equals(p),
    };
  });
  await db.query(
    `INSERT INTO files (id, root, path, path_key, path_is_utf8, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
     SELECT u.id, '/', u.path, u.path_key, u.is_utf8, u.dir_key, u.name, u.ext, u.kind, u.size, 1700000000000, u.content_hash, $11, $11
       FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bool[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
         AS u(id, path, path_key, is_utf8, dir_key, name, ext, kind, size, content_hash)`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.display),
      rows.map((r) => r.pathKey),
      rows.map((r) => r.isUtf8),
      rows.map((r) => r.dirKey),
      rows.map((r) => r.name),
      rows.map((r) => r.ext),
      rows.map((r) => r.kind),
      rows.map((r) => r.size),
      rows.map((r) => r.contentHash),
      scanId,
    ],
  );
  return rows.map(({ id, pathKey, kind, contentHash }) => ({ id, pathKey, kind, contentHash }));
}
