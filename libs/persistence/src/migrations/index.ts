import { InitialSchema1763700000000 } from './1763700000000-initial-schema';
import { MetadataCompanionsDuplicates1763800000000 } from './1763800000000-metadata-companions-duplicates';
import { FileAnalysis1763900000000 } from './1763900000000-file-analysis';
import { FingerprintIndex1795239009174 } from './1795239009174-fingerprint-index';
import { FileGenerations1795900000000 } from './1795900000000-file-generations';
import { UiListIndexes1795950000000 } from './1795950000000-ui-list-indexes';
import { Proposals1796000000000 } from './1796000000000-proposals';
import { ExecutorJournal1796100000000 } from './1796100000000-executor-journal';
import { Tracklists1796200000000 } from './1796200000000-tracklists';
import { FingerprintPackedPostings1796300000000 } from './1796300000000-fingerprint-packed-postings';
import { FileCopies1796350000000 } from './1796350000000-file-copies';
import { FingerprintIndexGenerations1796370000000 } from './1796370000000-fingerprint-index-generations';
import { UiListIndexesProposalsAudit1796400000000 } from './1796400000000-ui-list-indexes-proposals-audit';
import { FilesStateKindPathIndexes1796410000000 } from './1796410000000-files-state-kind-path-indexes';
import { FilesStageFlags1796500000000 } from './1796500000000-files-stage-flags';
import { FilesAnalysisFacts1796500001000 } from './1796500001000-files-analysis-facts';
import { ProposalsDestinationShared1796600000000 } from './1796600000000-proposals-destination-shared';
import { FilesContentHashHashIndex1796600001000 } from './1796600001000-files-content-hash-hash-index';
import { FilesCamelotBpmIndex1796600002000 } from './1796600002000-files-camelot-bpm-index';
import { FilesPathIdFactsKeys1796600003000 } from './1796600003000-files-path-id-facts-keys';

/** Every migration, in order. A new migration is added here (the drift test fails otherwise). */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  MetadataCompanionsDuplicates1763800000000,
  FileAnalysis1763900000000,
  FingerprintIndex1795239009174,
  FileGenerations1795900000000,
  UiListIndexes1795950000000,
  Proposals1796000000000,
  ExecutorJournal1796100000000,
  Tracklists1796200000000,
  FingerprintPackedPostings1796300000000,
  FileCopies1796350000000,
  FingerprintIndexGenerations1796370000000,
  UiListIndexesProposalsAudit1796400000000,
  FilesStateKindPathIndexes1796410000000,
  FilesStageFlags1796500000000,
  FilesAnalysisFacts1796500001000,
  ProposalsDestinationShared1796600000000,
  FilesContentHashHashIndex1796600001000,
  FilesCamelotBpmIndex1796600002000,
  FilesPathIdFactsKeys1796600003000,
];
