export * from './entities';
export * from './data-source';
export { MIGRATIONS } from './migrations';
export { refreshAnalysisFactsSql } from './read-models/analysis-facts';
export { refreshStageFlagsSql } from './read-models/stage-flags';
export { APPROVED_PROPOSALS_SQL, readApprovedProposals, type ApprovedProposal } from './read-models/approved-proposals';
export { MARK_ALL_SHARED_DESTINATIONS_SQL, MARK_SHARED_DESTINATION_SQL } from './read-models/shared-destinations';
