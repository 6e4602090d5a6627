import { allSubjects } from './subjects';
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
  'tracklist.search.requested': ['gateway'],
  // Every consumer publishes its own dead letters.
  'dlq.*': ['ingest', 'metadata', 'fingerprint', 'analysis', 'proposer', 'executor', 'tracklists'],
};

/** The services that publish a subject; stage outcomes are published by their stage. */
export function publishersOf(subjectName: string): readonly ServiceName[] {
  const stage = /^file\.(metadata|fingerprint|analysis|proposer)\.(started|completed|skipped|failed)$/.exec(
    subjectName,
  );
  if (stage) return [stage[1] as ServiceName];
  return PUBLISHERS[subjectName] ?? [];
}

/** Subjects without a declared publisher (the contracts test keeps this empty). */
export function subjectsWithoutPublisher(): string[] {
  return allSubjects()
    .map((s) => s.name)
    .filter((name) => publishersOf(name).length === 0);
}
