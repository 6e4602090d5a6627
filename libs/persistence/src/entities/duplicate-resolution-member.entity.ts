import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type DuplicateMemberRole = 'canonical' | 'duplicate';

/** The files a duplicate resolution covered, with the content each had then. Owned by the gateway. */
@Entity('duplicate_resolution_members')
@Index('duplicate_resolution_members_file_id_idx', ['fileId'])
export class DuplicateResolutionMemberEntity {
  @PrimaryColumn('uuid', { name: 'resolution_id' })
  resolutionId: string;

  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  @Column('text')
  role: DuplicateMemberRole;

  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;
}
