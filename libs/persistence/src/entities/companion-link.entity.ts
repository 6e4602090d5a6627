import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A companion file that belongs to a media file of its folder (a cue sheet to its mix, a cover to every
 * track). Owned by metadata, which recomputes all links of a folder whenever one of its files is processed,
 * so companions and media may arrive in any order.
 */
@Entity('companion_links')
@Index('companion_links_media_file_id_idx', ['mediaFileId'])
@Index('companion_links_dir_key_idx', ['dirKey'])
export class CompanionLinkEntity {
  @PrimaryColumn('uuid', { name: 'companion_file_id' })
  companionFileId: string;

  @PrimaryColumn('uuid', { name: 'media_file_id' })
  mediaFileId: string;

  /** The folder both files are in (the bytes of its path): the unit that is recomputed. */
  @Column('bytea', { name: 'dir_key' })
  dirKey: Buffer;

  /** Why they belong together, e.g. `same-name` or `folder`. */
  @Column('text')
  reason: string;

  @UpdateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt: Date;
}
