import { Consumers, Streams, Subjects } from '@crateflow/contracts';
import { consumerConfigFor, MIN_MAX_ACK_PENDING, streamConfigFor, validateConsumerDeclaration } from './provision';
import {
  assertValidPrefix,
  concreteSubject,
  errorText,
  fileIdOf,
  retryDelayFor,
  truncate,
  withoutPrefix,
} from './subjects';
import { PermanentError, TransientError } from './errors';

describe('retryDelayFor', () => {
  it('picks the delay by attempt and repeats the last one', () => {
    const delays = [1_000, 5_000, 15_000];
    expect(retryDelayFor(delays, 1)).toBe(1_000);
    expect(retryDelayFor(delays, 2)).toBe(5_000);
    expect(retryDelayFor(delays, 3)).toBe(15_000);
    expect(retryDelayFor(delays, 9)).toBe(15_000);
    expect(retryDelayFor([], 3)).toBe(0);
  });
});

describe('subjects', () => {
  it('strips only its own prefix', () => {
    expect(withoutPrefix('crateflow', 'crateflow.file.ingest.discovered')).toBe('file.ingest.discovered');
    expect(withoutPrefix('crateflow', 'crateflowx.file.ingest.discovered')).toBeNull();
  });

  it('needs a concrete subject for wildcard definitions', () => {
    expect(concreteSubject(Subjects.fileDiscovered)).toBe('file.ingest.discovered');
    expect(concreteSubject(Subjects.deadLetter, 'dlq.metadata')).toBe('dlq.metadata');
    expect(() => concreteSubject(Subjects.deadLetter)).toThrow(/wildcards/);
    expect(() => concreteSubject(Subjects.deadLetter, 'dlq.*')).toThrow(/wildcard/);
    expect(() => concreteSubject(Subjects.fileDiscovered, 'file.ingest.changed')).toThrow(/does not match/);
  });

  it('accepts a prefix only as one subject token', () => {
    expect(() => assertValidPrefix('crateflow')).not.toThrow();
    expect(() => assertValidPrefix('t1a2b-x_3')).not.toThrow();
    for (const bad of ['', 'a.b', 'a*', 'a b', 'x'.repeat(65)]) expect(() => assertValidPrefix(bad)).toThrow(/prefix/);
  });

  it('finds a fileId for log lines only when it is a string', () => {
    expect(fileIdOf({ fileId: 'abc' })).toBe('abc');
    expect(fileIdOf({ fileId: 3 })).toBeUndefined();
    expect(fileIdOf(undefined)).toBeUndefined();
  });

  it('truncates long text with a marker and keeps short text', () => {
    expect(truncate('short', 10)).toBe('short');
    const long = truncate('x'.repeat(5000), 4000);
    expect(long).toHaveLength(4000);
    expect(long.endsWith('[truncated]')).toBe(true);
  });

  it('names errors in their text', () => {
    expect(errorText(new PermanentError('unreadable'))).toBe('PermanentError: unreadable');
    expect(errorText(new TransientError('busy', 10))).toBe('TransientError: busy');
    expect(errorText('plain')).toBe('plain');
  });

  it('refuses a negative TransientError delay', () => {
    expect(() => new TransientError('x', -1)).toThrow(RangeError);
  });
});

describe('provisioning config', () => {
  it('prefixes stream subjects and keeps the dedupe window at two minutes', () => {
    const events = streamConfigFor('tabc', Streams.events);
    expect(events.name).toBe('TABC');
    expect(events.subjects).toContain('tabc.file.>');
    expect(events.duplicate_window).toBe(120_000 * 1e6);
    expect(events.storage).toBe('file');
    expect(events.retention).toBe('limits');
    expect(streamConfigFor('tabc', Streams.deadLetters)).toMatchObject({ name: 'TABC_DLQ', subjects: ['tabc.dlq.>'] });
  });

  it('builds a single-filter explicit-ack durable from a declaration', () => {
    const config = consumerConfigFor('tabc', Consumers.fingerprint);
    expect(config).toMatchObject({
      durable_name: 'tabc-fingerprint',
      ack_policy: 'explicit',
      filter_subject: 'tabc.file.metadata.*',
      ack_wait: 120_000 * 1e6,
      max_deliver: 5,
    });
    expect(config).not.toHaveProperty('filter_subjects');
    expect(config.max_ack_pending).toBeGreaterThanOrEqual(
      Math.max(MIN_MAX_ACK_PENDING, Consumers.fingerprint.concurrency),
    );
  });

  it('rejects declarations NATS or the runner cannot honour', () => {
    expect(() => validateConsumerDeclaration(Consumers.metadata)).not.toThrow();
    expect(() => validateConsumerDeclaration({ ...Consumers.metadata, ackWaitMs: 10 })).toThrow(/ackWaitMs/);
    expect(() => validateConsumerDeclaration({ ...Consumers.metadata, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => validateConsumerDeclaration({ ...Consumers.metadata, handles: [] })).toThrow(/handles/);
  });
});
