import { matchSubject, type SubjectDefinition } from '@crateflow/contracts';
import type { z } from 'zod';

/**
 * Pure helpers for subjects, retries and error text (no NATS here, unit-tested in subjects.spec.ts).
 */

/** A prefix is one subject token: it must not contain dots, wildcards or spaces. */
export function assertValidPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) {
    throw new Error(
      `messaging prefix must be 1-64 letters, digits, '_' or '-' (one subject token), got ${JSON.stringify(prefix)}`,
    );
  }
}

export function withPrefix(prefix: string, name: string): string {
  return `${prefix}.${name}`;
}

/** The subject without `<prefix>.`, or null when it belongs to another prefix. */
export function withoutPrefix(prefix: string, subject: string): string | null {
  return subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : null;
}

/**
 * The concrete subject to publish a definition on. Wildcard definitions (e.g. `dlq.*`) need an explicit
 * subject that matches them; a concrete definition accepts only its own name.
 */
export function concreteSubject(definition: SubjectDefinition, override?: string): string {
  const subject = override ?? definition.name;
  if (/(^|\.)[*>](\.|$)/.test(subject)) {
    throw new Error(
      override === undefined
        ? `subject ${definition.name} has wildcards: pass the concrete subject to publish on`
        : `cannot publish on a wildcard subject (${subject})`,
    );
  }
  if (!matchSubject(definition.name, subject)) {
    throw new Error(`subject ${subject} does not match its definition ${definition.name}`);
  }
  return subject;
}

/** Delay before the next attempt after a failed delivery (1-based); the last configured delay repeats. */
export function retryDelayFor(delaysMs: readonly number[], deliveryCount: number): number {
  if (delaysMs.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1) - 1, delaysMs.length - 1);
  return delaysMs[index];
}

export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = ' …[truncated]';
  return text.slice(0, maxLength - marker.length) + marker;
}

/** Readable one-line text for anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

/** Zod issues as `path: message; path: message`, short enough for a log line. */
export function describeIssues(error: z.ZodError): string {
  return truncate(
    error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; '),
    1000,
  );
}

/** The file a payload is about, for log lines (never as a metric label). */
export function fileIdOf(payload: unknown): string | undefined {
  if (payload && typeof payload === 'object' && 'fileId' in payload) {
    const id = (payload as { fileId: unknown }).fileId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}
