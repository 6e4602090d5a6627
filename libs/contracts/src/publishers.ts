import { allSubjects, type SubjectDefinition } from './subjects';
import type { ServiceName } from './stages';

/**
 * Which service publishes each subject (by subject name). A subject nobody publishes, or one published by a
 * service nobody declared, is a wiring mistake the contracts test catches. Add a line here with a new subject.
 * The stage subjects (`file.<stage>.*`) are published by that stage.
 */
export const PUBLISHERS: Readonly<Record<string, readonly ServiceName[]>> = {
  'scan.requested': ['gateway'],
  'scan.progressed': ['ingest'],
  'scan.finished': ['ingest'],
  'file.ingest.discovered': ['ingest'],
  'file.ingest.changed': ['ingest'],
  'file.ingest.vanished': ['ingest'],
  'file.duplicate.resolved': ['gateway'],
  'file.duplicate.unresolved': ['gateway'],
  'mix.identify.requested': ['gateway'],
  'mix.identify.progressed': ['fingerprint'],
  'mix.identify.finished': ['fingerprint'],
  'execution.run.requested': ['gateway'],
  'execution.undo.requested': ['gateway'],
  // A person asks through the gateway; the tracklists service's sweep asks again when a look-up's wait is over.
  'tracklist.search.requested': ['gateway', 'tracklists'],
  // Every consumer publishes its own dead letters.
  'dlq.*': ['ingest', 'metadata', 'fingerprint', 'analysis', 'proposer', 'executor', 'tracklists'],
};

/**
 * The services that publish a subject: the one a subject declares itself (`subject(…, publisher)`), else
 * PUBLISHERS; stage outcomes are published by their stage.
 */
export function publishersOf(subjectName: string): readonly ServiceName[] {
  const declared = declaredPublishers().get(subjectName);
  if (declared && !PUBLISHERS[subjectName]) return [declared];
  const stage = /^file\.(metadata|fingerprint|analysis|proposer)\.(started|completed|skipped|failed)$/.exec(
    subjectName,
  );
  if (stage) return [stage[1] as ServiceName];
  return PUBLISHERS[subjectName] ?? [];
}

let declaredCache: Map<string, ServiceName> | undefined;
function declaredPublishers(): Map<string, ServiceName> {
  declaredCache ??= new Map(
    allSubjects()
      .filter((s): s is SubjectDefinition & { publisher: ServiceName } => s.publisher !== undefined)
      .map((s) => [s.name, s.publisher]),
  );
  return declaredCache;
}

/** Subjects without a declared publisher (the contracts test keeps this empty). */
export function subjectsWithoutPublisher(): string[] {
  return allSubjects()
    .map((s) => s.name)
    .filter((name) => publishersOf(name).length === 0);
}
