import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type FileMetadataStatus = 'read' | 'failed';

/**
 * Failure kinds that mean the content has no audio stream at all (zero bytes, or bytes matching no audio or
 * video format), not merely tags that could not be read: the audio stages skip such content.
 */
export const NO_AUDIO_FAILURE_KINDS: readonly string[] = ['empty', 'not-media'];

const numeric = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * Tags and stream facts of one music or video file, as the metadata stage read them. Owned by metadata.
 * One row per file, for the content named by `contentHash` (a changed file's row is replaced when the
 * stage reads it again). Fields that queries filter or sort on are columns; lists and the raw tag dump
 * (binary blobs left out) are jsonb.
 */
@Entity('file_metadata')
// Copies with the same content share their tags: duplicate views look them up by content.
@Index('file_metadata_content_hash_idx', ['contentHash'])
// The file list's artist, title and duration orders (partial expression indexes); created by migration 1795950000000.
@Index('file_metadata_artist_sort_idx', { synchronize: false })
@Index('file_metadata_title_sort_idx', { synchronize: false })
@Index('file_metadata_duration_sort_idx', { synchronize: false })
export class FileMetadataEntity {
  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  /** The content the row describes; a reader compares it with the file's current hash. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** `failed` when the file could not be read (then only the failure columns are set). */
  @Column('text')
  status: FileMetadataStatus;

  /** empty, not-media, truncated, corrupt, too-large, timeout, unreadable. */
  @Column('text', { name: 'failure_kind', nullable: true })
  failureKind: string | null;

  /** Why the file could not be read, for a person. */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  @Column('text', { nullable: true })
  artist: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('text', { nullable: true })
  album: string | null;

  @Column('text', { name: 'album_artist', nullable: true })
  albumArtist: string | null;

  @Column('int', { name: 'track_no', nullable: true })
  trackNo: number | null;

  @Column('int', { name: 'track_of', nullable: true })
  trackOf: number | null;

  @Column('int', { name: 'disc_no', nullable: true })
  discNo: number | null;

  @Column('int', { name: 'disc_of', nullable: true })
  discOf: number | null;

  /** 1000–9999 only. */
  @Column('int', { nullable: true })
  year: number | null;

  /** The date as tagged, e.g. "2004-05-06". */
  @Column('text', { nullable: true })
  date: string | null;

  /** The first genre; every genre is in `genres`. */
  @Column('text', { nullable: true })
  genre: string | null;

  @Column('text', { nullable: true })
  label: string | null;

  @Column('text', { nullable: true })
  comment: string | null;

  @Column('text', { nullable: true })
  isrc: string | null;

  /** The BPM a tag states (not measured; analysis measures). */
  @Column('numeric', { name: 'bpm_tag', precision: 6, scale: 2, nullable: true, transformer: numeric })
  bpmTag: number | null;

  /** The key a tag states ("Am", "8A", ...). */
  @Column('text', { name: 'key_tag', nullable: true })
  keyTag: string | null;

  @Column('double precision', { name: 'duration_sec', nullable: true })
  durationSec: number | null;

  /** Average bits per second. */
  @Column('int', { nullable: true })
  bitrate: number | null;

  @Column('int', { name: 'sample_rate', nullable: true })
  sampleRate: number | null;

  @Column('smallint', { nullable: true })
  channels: number | null;

  @Column('smallint', { name: 'bits_per_sample', nullable: true })
  bitsPerSample: number | null;

  @Column('text', { nullable: true })
  codec: string | null;

  /** What the bytes are (mpeg, flac, mp4, ...), decided from the content rather than the name. */
  @Column('text', { nullable: true })
  container: string | null;

  @Column('boolean', { nullable: true })
  lossless: boolean | null;

  /** A picture is embedded (the picture itself is not stored). */
  @Column('boolean', { name: 'has_cover', nullable: true })
  hasCover: boolean | null;

  /** Every artist value, in tag order. */
  @Column('jsonb', { default: () => "'[]'" })
  artists: string[];

  @Column('jsonb', { default: () => "'[]'" })
  genres: string[];

  /** Tag formats found, e.g. ["ID3v2.3", "ID3v1"]. */
  @Column('jsonb', { name: 'tag_types', default: () => "'[]'" })
  tagTypes: string[];

  /** Every stream fact read (video codec and size, container name, whether the duration is estimated...). */
  @Column('jsonb', { nullable: true })
  stream: Record<string, unknown> | null;

  /** Every native tag as the file holds it, binary blobs replaced by their size, bounded in size. */
  @Column('jsonb', { nullable: true })
  raw: Record<string, unknown> | null;

  /** Oddities that did not stop the read (an extension that names another format, ...). */
  @Column('jsonb', { default: () => "'[]'" })
  warnings: string[];

  @UpdateDateColumn({ name: 'read_at', type: 'timestamptz' })
  readAt: Date;
}
