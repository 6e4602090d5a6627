export * from './entities';
export * from './data-source';
export { MIGRATIONS } from './migrations';
export { APPROVED_PROPOSALS_SQL, readApprovedProposals, type ApprovedProposal } from './read-models/approved-proposals';
