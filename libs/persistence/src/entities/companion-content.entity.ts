import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CompanionContentStatus = 'parsed' | 'failed';

/**
 * What a companion file (.cue, .nfo, .txt, playlists, checksum lists, pictures) says, parsed once by the
 * metadata stage and kept for the proposer and the file view. Owned by metadata. One row per file, for
 * the content named by `contentHash`.
 */
@Entity('companion_contents')
export class CompanionContentEntity {
  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** cue, nfo, txt, playlist, checksums, image. */
  @Column('text', { name: 'companion_type' })
  companionType: string;

  @Column('text')
  status: CompanionContentStatus;

  /** Why the content could not be parsed, for a person. */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** The character encoding the text was decoded from (e.g. "utf-8", "windows-1252", "cp437"). */
  @Column('text', { nullable: true })
  encoding: string | null;

  /** The decoded text (NFC, control characters removed, capped), for text companions. */
  @Column('text', { nullable: true })
  text: string | null;

  /** The text or the parsed structure was cut to stay within its size limit. */
  @Column('boolean', { default: false })
  truncated: boolean;

  /** The parsed structure: a cue sheet's tracks, a playlist's entries, a checksum list's names. */
  @Column('jsonb', { nullable: true })
  parsed: Record<string, unknown> | null;

  @UpdateDateColumn({ name: 'parsed_at', type: 'timestamptz' })
  parsedAt: Date;
}
