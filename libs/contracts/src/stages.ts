/**
 * The services of Crateflow and the per-file pipeline stages they run.
 * A service is a deployable app; a pipeline stage is a step every file passes through.
 */
export const SERVICES = [
  'gateway',
  'ingest',
  'metadata',
  'fingerprint',
  'analysis',
  'proposer',
  'executor',
  'tracklists',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Per-file stages in pipeline order. Ingest is the entry, not a stage with a status. */
export const PIPELINE_STAGES = ['metadata', 'fingerprint', 'analysis', 'proposer'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export const STAGE_STATUSES = ['pending', 'running', 'done', 'skipped', 'failed'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** What a stage reports when it has finished with a file. */
export const STAGE_OUTCOMES = ['completed', 'skipped', 'failed'] as const;
export type StageOutcome = (typeof STAGE_OUTCOMES)[number];

export const OUTCOME_STATUS: Record<StageOutcome, StageStatus> = {
  completed: 'done',
  skipped: 'skipped',
  failed: 'failed',
};

export const FILE_KINDS = ['music', 'video', 'companion'] as const;
export type FileKind = (typeof FILE_KINDS)[number];
