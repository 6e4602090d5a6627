/**
 * One file operation of the write-ahead journal, as the protocol sees it. The phase names what is about
 * to happen (or has just happened) on disk; it is written and committed before the change is made.
 */
export type OperationKind = 'move' | 'copy' | 'hardlink' | 'unpublish';
export type OperationRole = 'media' | 'companion';
export type OperationStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export type ClaimMethod = 'link' | 'placeholder' | 'copy' | 'case-rename';

export const PHASES = [
  'pending',
  /** link(source, destination) on one filesystem (move, hardlink) */
  'claiming',
  /** exclusive create of a marker file at the destination, where hard links are not supported */
  'placing',
  /** rename of the source (or the verified temporary copy) over our own placeholder */
  'renaming',
  /** a rename that only changes letter case, through a temporary name in the same folder */
  'case-renaming',
  /** the bytes go into a temporary sibling of the destination, created exclusively */
  'copying',
  /** the temporary copy is read back and its SHA-256 compared with the recorded hash */
  'verifying',
  /** link(temporary, destination): the copy gets its final name, without overwriting */
  'publishing',
  /** the destination is ours and verified: the commit point of a copy */
  'published',
  /** the source is removed (move only) */
  'releasing',
  /** the destination we created is removed again because the source changed or could not be released */
  'rolling-back',
  /** undo of a copy or hard link: the destination is removed when it is still what we wrote */
  'unpublishing',
  'done',
  'failed',
] as const;
export type Phase = (typeof PHASES)[number];

export interface RecordedIdentity {
  size: number;
  mtimeMs: number;
  dev: string | null;
  ino: string | null;
}

export interface DestinationResult {
  dev: string;
  ino: string;
  size: number;
  mtimeMs: number;
}

export interface JournalOperation {
  id: string;
  executionId: string;
  seq: number;
  kind: OperationKind;
  role: OperationRole;
  fileId: string | null;
  planItemId: string | null;
  parentOperationId: string | null;
  undoOfOperationId: string | null;
  source: Buffer;
  sourcePath: string;
  destination: Buffer;
  destinationPath: string;
  temp: Buffer | null;
  tempIno: string | null;
  method: ClaimMethod | null;
  expected: RecordedIdentity;
  contentHash: string;
  createdDirs: Buffer[];
  phase: Phase;
  status: OperationStatus;
  error: string | null;
  errorCode: string | null;
  result: DestinationResult | null;
  attempts: number;
}

/** What a caller gives to create an operation. */
export interface NewOperation {
  kind: OperationKind;
  role: OperationRole;
  fileId?: string | null;
  planItemId?: string | null;
  parentOperationId?: string | null;
  undoOfOperationId?: string | null;
  source: Buffer;
  destination: Buffer;
  expected: RecordedIdentity;
  contentHash: string;
  /** Pre-chosen id (companions refer to their media file's operation). */
  id?: string;
}

/** The fields of an operation a journal step may change. */
export type OperationPatch = Partial<
  Pick<
    JournalOperation,
    'temp' | 'tempIno' | 'method' | 'createdDirs' | 'error' | 'errorCode' | 'result' | 'status' | 'attempts'
  >
>;
