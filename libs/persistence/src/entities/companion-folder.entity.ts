import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * When the companion links of a folder were last computed, and from what. Owned by metadata. The signature
 * covers the folder's present files and its parsed cue sheets; while it is unchanged, processing another
 * file of the folder leaves the links as they are (a folder of a thousand tracks is linked once, not a
 * thousand times).
 */
@Entity('companion_folders')
export class CompanionFolderEntity {
  /** The bytes of the folder's path. */
  @PrimaryColumn('bytea', { name: 'dir_key' })
  dirKey: Buffer;

  @Column('text')
  signature: string;

  @UpdateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt: Date;
}
