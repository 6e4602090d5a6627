import { CompanionContentEntity } from './companion-content.entity';
import { CompanionFolderEntity } from './companion-folder.entity';
import { CompanionLinkEntity } from './companion-link.entity';
import { DuplicateResolutionEntity } from './duplicate-resolution.entity';
import { DuplicateResolutionMemberEntity } from './duplicate-resolution-member.entity';
import { FileEntity } from './file.entity';
import { FileFingerprintEntity } from './file-fingerprint.entity';
import { MixIdentificationEntity } from './mix-identification.entity';
import { SameRecordingMatchEntity } from './same-recording-match.entity';
import { FileAnalysisEntity } from './file-analysis.entity';
import { FileHistoryEntity } from './file-history.entity';
import { FileMetadataEntity } from './file-metadata.entity';
import { FileStageStatusEntity } from './file-stage-status.entity';
import { ScanEntity } from './scan.entity';
import { ProposalEntity } from './proposal.entity';
import { ProposalGenerationEntity } from './proposal-generation.entity';
import { ProposalReviewEntity } from './proposal-review.entity';
import { TracklistEntity } from './tracklist.entity';
import { TracklistVersionEntity } from './tracklist-version.entity';
import { TracklistTrackEntity } from './tracklist-track.entity';
import { TracklistLinkEntity } from './tracklist-link.entity';
import { TracklistLookupEntity } from './tracklist-lookup.entity';
import { TracklistHostScheduleEntity } from './tracklist-host-schedule.entity';
import { TracklistDecisionEntity } from './tracklist-decision.entity';
import { TracklistLinkDecisionEntity } from './tracklist-link-decision.entity';
import { TracklistTrackEditEntity } from './tracklist-track-edit.entity';
import { ExecutionPlanEntity } from './execution-plan.entity';
import { ExecutionPlanItemEntity } from './execution-plan-item.entity';
import { ExecutionEntity } from './execution.entity';
import { ExecutionOperationEntity } from './execution-operation.entity';
import { ExecutionStepEntity } from './execution-step.entity';

export {
  CompanionContentEntity,
  CompanionFolderEntity,
  CompanionLinkEntity,
  DuplicateResolutionEntity,
  DuplicateResolutionMemberEntity,
  FileAnalysisEntity,
  FileEntity,
  FileFingerprintEntity,
  FileHistoryEntity,
  FileMetadataEntity,
  FileStageStatusEntity,
  MixIdentificationEntity,
  SameRecordingMatchEntity,
  ScanEntity,
  ProposalEntity,
  ProposalGenerationEntity,
  ProposalReviewEntity,
  TracklistEntity,
  TracklistVersionEntity,
  TracklistTrackEntity,
  TracklistLinkEntity,
  TracklistLookupEntity,
  TracklistHostScheduleEntity,
  TracklistDecisionEntity,
  TracklistLinkDecisionEntity,
  TracklistTrackEditEntity,
  ExecutionPlanEntity,
  ExecutionPlanItemEntity,
  ExecutionEntity,
  ExecutionOperationEntity,
  ExecutionStepEntity,
};
export type { ProposalRowStatus } from './proposal.entity';
export type { ExecutionMode } from './execution-plan.entity';
export type { ScanStatus } from './scan.entity';
export type { FileMetadataStatus } from './file-metadata.entity';
export { NO_AUDIO_FAILURE_KINDS } from './file-metadata.entity';
export type { FileAnalysisStatus } from './file-analysis.entity';
export type { FileFingerprintStatus } from './file-fingerprint.entity';
export type { MixIdentificationStatus, StoredTimelineEntry } from './mix-identification.entity';
export type { CompanionContentStatus } from './companion-content.entity';
export type { TracklistSource } from './tracklist.entity';
export type { TracklistLinkMaker } from './tracklist-link.entity';
export type { TracklistLookupStatus, StoredCandidate } from './tracklist-lookup.entity';
export type { TracklistDecisionStatus } from './tracklist-decision.entity';
export type { DuplicateMemberRole } from './duplicate-resolution-member.entity';

/** Every entity of the system; each table's single writer is declared in @crateflow/contracts TABLE_OWNERS. */
export const ENTITIES = [
  FileEntity,
  ScanEntity,
  FileStageStatusEntity,
  FileHistoryEntity,
  FileMetadataEntity,
  CompanionContentEntity,
  CompanionLinkEntity,
  CompanionFolderEntity,
  DuplicateResolutionEntity,
  DuplicateResolutionMemberEntity,
  FileAnalysisEntity,
  FileFingerprintEntity,
  SameRecordingMatchEntity,
  MixIdentificationEntity,
  ProposalEntity,
  ProposalGenerationEntity,
  ProposalReviewEntity,
  TracklistEntity,
  TracklistVersionEntity,
  TracklistTrackEntity,
  TracklistLinkEntity,
  TracklistLookupEntity,
  TracklistHostScheduleEntity,
  TracklistDecisionEntity,
  TracklistLinkDecisionEntity,
  TracklistTrackEditEntity,
  ExecutionPlanEntity,
  ExecutionPlanItemEntity,
  ExecutionEntity,
  ExecutionOperationEntity,
  ExecutionStepEntity,
];
