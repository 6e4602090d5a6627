import { Column } from 'typeorm';

/**
 * A source file as the executor recorded it when it was planned: its path (for display, and the exact bytes
 * on disk) and what identifies it (size, mtime, device and inode, content hash). Embedded without a prefix
 * in plan items and journal operations, so both tables keep the same column names.
 */
export class RecordedSource {
  @Column('text', { name: 'source_path' })
  sourcePath: string;

  @Column('bytea', { name: 'source_key' })
  sourceKey: Buffer;

  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column('double precision', { name: 'mtime_ms' })
  mtimeMs: number;

  @Column('text', { nullable: true })
  dev: string | null;

  @Column('text', { nullable: true })
  ino: string | null;

  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;
}
