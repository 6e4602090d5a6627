/**
 * Duplicate group keys, stable and readable: `exact:<sha256>` for files with the same content, and
 * `recording:<id>` for the same recording in different encodings (fingerprint groups; the id is the group's
 * smallest fingerprint track id).
 * The kind comes first so both kinds share one list, one URL shape and one resolutions table.
 */
export const DUPLICATE_KINDS = ['exact', 'recording'] as const;
export type DuplicateKind = (typeof DUPLICATE_KINDS)[number];

export type GroupKey = { kind: 'exact'; contentHash: string } | { kind: 'recording'; recordingId: string };

const EXACT = /^exact:([0-9a-f]{64})$/;
const RECORDING = /^recording:([A-Za-z0-9_-]{1,128})$/;

/** Parses a key; null for anything that is not a well-formed key (hashes must be lower-case hex). */
export function parseGroupKey(key: string): GroupKey | null {
  const exact = EXACT.exec(key);
  if (exact) return { kind: 'exact', contentHash: exact[1] };
  const recording = RECORDING.exec(key);
  if (recording) return { kind: 'recording', recordingId: recording[1] };
  return null;
}

export function exactGroupKey(contentHash: string): string {
  return `exact:${contentHash.trim()}`;
}

export function recordingGroupKey(recordingId: number | string): string {
  return `recording:${recordingId}`;
}
