import { Subjects, allSubjects, type SubjectDefinition } from './subjects';
import { PIPELINE_STAGES, type ServiceName } from './stages';

/**
 * Stream and consumer declarations. Apps provision, at start-up, the streams and the consumers they
 * consume from (create or update), so a fresh NATS needs no manual set-up.
 */
export interface StreamDeclaration {
  /** Name suffix; the full name is `<PREFIX>_<suffix>` upper-cased, or `<PREFIX>` when empty. */
  readonly suffix: string;
  /** Subject patterns without the prefix. */
  readonly subjects: readonly string[];
  readonly maxAgeMs: number;
  readonly description: string;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The top-level subject domains carried by the events stream (everything but dead letters): derived from the
 * subjects that exist, so the stream never carries a domain nobody uses nor misses one a new subject opens.
 */
export const EVENT_DOMAINS: readonly string[] = [
  ...new Set(
    allSubjects()
      .map((s) => s.name.split('.')[0])
      .filter((d) => d !== 'dlq'),
  ),
];

export const Streams = {
  events: {
    suffix: '',
    subjects: EVENT_DOMAINS.map((d) => `${d}.>`),
    maxAgeMs: 14 * DAY,
    description: 'all commands and events of the pipeline',
  },
  deadLetters: {
    suffix: 'DLQ',
    subjects: ['dlq.>'],
    maxAgeMs: 90 * DAY,
    description: 'messages that failed their last delivery, kept for inspection and replay',
  },
} as const satisfies Record<string, StreamDeclaration>;

export interface ConsumerDeclaration {
  /** Durable name suffix; the full durable name is `<prefix>-<durable>` (NATS names allow no dots). */
  readonly durable: string;
  readonly service: ServiceName;
  readonly stream: keyof typeof Streams;
  /** One filter subject (NATS 2.9 has no multi-filter consumers); wildcards allowed. */
  readonly filter: string;
  /** Subjects the handler acts on; other subjects matching the filter are acknowledged and ignored. */
  readonly handles: readonly SubjectDefinition[];
  /** How long a delivery may stay un-acked before JetStream redelivers it; long jobs call working(). */
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  /** Messages handled at once per replica. */
  readonly concurrency: number;
  /** Delay before redelivery after a transient failure, by attempt (the last entry repeats). */
  readonly retryDelaysMs: readonly number[];
}

const stageOutcomes = (stage: 'metadata' | 'fingerprint' | 'analysis') => [
  Subjects[stage].completed,
  Subjects[stage].skipped,
  Subjects[stage].failed,
];

const defaults = {
  stream: 'events',
  ackWaitMs: 60_000,
  maxDeliver: 5,
  concurrency: 4,
  retryDelaysMs: [1_000, 5_000, 15_000, 60_000],
} as const;

export const Consumers = {
  ingestScans: {
    ...defaults,
    durable: 'ingest-scans',
    service: 'ingest',
    filter: Subjects.scanRequested.name,
    handles: [Subjects.scanRequested],
    concurrency: 1,
    // Short, because a crashed ingest should resume its scan soon; the running scan calls working().
    ackWaitMs: 15_000,
  },
  ingestLifecycle: {
    ...defaults,
    durable: 'ingest-lifecycle',
    service: 'ingest',
    filter: 'file.>',
    // Listed, not filtered from all subjects, so the handler's payload is typed (contracts test: every file.* is here).
    handles: [
      Subjects.fileDiscovered,
      Subjects.fileChanged,
      Subjects.fileMissing,
      Subjects.fileDuplicateResolved,
      Subjects.fileDuplicateUnresolved,
      ...PIPELINE_STAGES.flatMap((stage) => Object.values(Subjects[stage])),
      Subjects.proposalGenerated,
      Subjects.proposalApproved,
      Subjects.proposalRejected,
      Subjects.proposalEdited,
      Subjects.proposalUndone,
      Subjects.fileRelocated,
    ],
    // Writes are guarded by the file's round (generation), content hash and allowed transitions, so neither
    // order nor repeats matter (see the lifecycle service).
    concurrency: 8,
  },
  metadata: {
    ...defaults,
    durable: 'metadata',
    service: 'metadata',
    filter: 'file.ingest.*',
    handles: [Subjects.fileDiscovered, Subjects.fileChanged],
  },
  fingerprint: {
    ...defaults,
    durable: 'fingerprint',
    service: 'fingerprint',
    filter: 'file.metadata.*',
    handles: stageOutcomes('metadata'),
    concurrency: 2,
    ackWaitMs: 120_000,
  },
  fingerprintMixes: {
    ...defaults,
    durable: 'fingerprint-mixes',
    service: 'fingerprint',
    filter: Subjects.mixIdentifyRequested.name,
    handles: [Subjects.mixIdentifyRequested],
    concurrency: 1,
    ackWaitMs: 120_000,
  },
  // Its own consumer: the job it stops keeps the mixes consumer busy. Any replica records the request; the
  // replica running the job sees it at its next progress report and stops.
  fingerprintMixCancels: {
    ...defaults,
    durable: 'fingerprint-mix-cancels',
    service: 'fingerprint',
    filter: Subjects.mixIdentifyCancelRequested.name,
    handles: [Subjects.mixIdentifyCancelRequested],
  },
  // Index upgrades: one message per track, so the rebuild resumes after a crash where it stopped (unacked
  // messages are redelivered), repeats nothing that is done (the handler skips tracks already in the new
  // generation) and spreads over every replica.
  fingerprintIndexRebuild: {
    ...defaults,
    durable: 'fingerprint-index-rebuild',
    service: 'fingerprint',
    filter: Subjects.indexRebuildRequested.name,
    handles: [Subjects.indexRebuildRequested],
    // One decode at a time per replica, next to the stage's own two: the upgrade runs in the background.
    concurrency: 1,
    ackWaitMs: 120_000,
  },
  analysis: {
    ...defaults,
    durable: 'analysis',
    service: 'analysis',
    filter: 'file.fingerprint.*',
    handles: stageOutcomes('fingerprint'),
    concurrency: 2,
    ackWaitMs: 120_000,
  },
  proposer: {
    ...defaults,
    durable: 'proposer',
    service: 'proposer',
    filter: 'file.analysis.*',
    handles: stageOutcomes('analysis'),
    // Enough messages in flight for one LLM batch of about ten files.
    concurrency: 12,
  },
  proposerGenerations: {
    ...defaults,
    durable: 'proposer-generations',
    service: 'proposer',
    filter: Subjects.proposalGenerationRequested.name,
    handles: [Subjects.proposalGenerationRequested],
    concurrency: 1,
    // A generation over the whole library runs long (an LLM answers in seconds per batch); it calls working().
    ackWaitMs: 120_000,
  },
  executor: {
    ...defaults,
    durable: 'executor',
    service: 'executor',
    filter: 'execution.*.requested',
    handles: [Subjects.executionRequested, Subjects.executionPlanRequested, Subjects.executionUndoRequested],
    concurrency: 1,
    maxDeliver: 3,
  },
  tracklists: {
    ...defaults,
    durable: 'tracklists',
    service: 'tracklists',
    filter: 'tracklist.*.requested',
    handles: [Subjects.tracklistSearchRequested, Subjects.tracklistScrapeRequested],
    // One at a time: every request waits for its slot in the host's shared schedule (8–12 s apart).
    concurrency: 1,
    ackWaitMs: 120_000,
  },
  tracklistsMixes: {
    ...defaults,
    durable: 'tracklists-mixes',
    service: 'tracklists',
    filter: Subjects.mixIdentifyFinished.name,
    handles: [Subjects.mixIdentifyFinished],
  },
  tracklistsCompanions: {
    ...defaults,
    durable: 'tracklists-companions',
    service: 'tracklists',
    filter: Subjects.metadata.completed.name,
    handles: [Subjects.metadata.completed],
  },
} as const satisfies Record<string, ConsumerDeclaration>;

export type ConsumerKey = keyof typeof Consumers;

export function consumersOf(service: ServiceName): ConsumerDeclaration[] {
  return Object.values(Consumers).filter((c) => c.service === service);
}

export function streamName(prefix: string, stream: StreamDeclaration): string {
  const base = prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
  return stream.suffix ? `${base}_${stream.suffix}` : base;
}

export function durableName(prefix: string, consumer: ConsumerDeclaration): string {
  return `${prefix}-${consumer.durable}`.replace(/[^A-Za-z0-9_-]/g, '_');
}
