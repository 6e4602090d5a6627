import { deriveQuery } from '../query/derive-query';

/** At least this long: a set, whatever the name says. */
export const SET_MIN_SEC = 20 * 60;
/** At most this long: a track, whatever the name says. */
export const TRACK_MAX_SEC = 15 * 60;

const SET_MARKERS: [string, RegExp][] = [
  ['live @/at', /\blive\s*(?:@|at\b)/i],
  ['b2b', /\bb2b\b|\bback\s*to\s*back\b/i],
  ['dj set', /\bdj[\s_-]?set\b/i],
  ['essential mix', /\bessential[\s_-]?mix\b/i],
  ['radio show', /\bradio[\s_-]?show\b/i],
  ['podcast', /\bpodcast\b/i],
  ['episode', /\b(?:episode|ep)[\s_.-]*\d{1,4}\b/i],
  ['festival', /festival\b/i],
  ['continuous mix', /\bcontinuous[\s_-]?mix\b|\bmixed by\b/i],
];

const TRACK_MARKERS: [string, RegExp][] = [
  ['leading track number', /^\s*(?:[A-D]?\d{1,2}|\d{1,2}[A-D]?)(?:\s*[.)\-_]\s*|\s+)(?!\d)/i],
  ['original/extended/radio/club mix', /\b(?:original|extended|radio|club)[\s_-](?:mix|edit|version)\b/i],
  ['remix', /\bremix\b|\brmx\b/i],
  ['feat.', /\b(?:feat|ft)\.?\s|\bfeaturing\b/i],
];

export type SetKind = 'set' | 'track' | 'undecided';

export interface SetDecision {
  kind: SetKind;
  /** Why: the duration rule or the markers found (+1 each set marker, −1 each track marker). */
  reasons: string[];
  score: number;
}

/**
 * Whether a file is a DJ set: by duration when it is clearly long or short, by its name in between (or when the
 * duration is unknown). A track-number tag counts as a track marker.
 */
export function classifySet(input: {
  name: string;
  durationSec: number | null;
  trackNumberTag?: boolean;
}): SetDecision {
  const base = input.name.split(/[\\/]/).pop() ?? input.name;
  if (input.durationSec != null && Number.isFinite(input.durationSec)) {
    if (input.durationSec >= SET_MIN_SEC) return { kind: 'set', reasons: ['lasts ≥ 20 min'], score: 0 };
    if (input.durationSec <= TRACK_MAX_SEC) return { kind: 'track', reasons: ['lasts ≤ 15 min'], score: 0 };
  }
  const reasons: string[] = [];
  let score = 0;
  for (const [label, re] of SET_MARKERS) {
    if (re.test(base)) {
      score++;
      reasons.push(`+${label}`);
    }
  }
  for (const [label, re] of TRACK_MARKERS) {
    if (re.test(base)) {
      score--;
      reasons.push(`-${label}`);
    }
  }
  if (input.trackNumberTag) {
    score--;
    reasons.push('-track-number tag');
  }
  return { kind: score > 0 ? 'set' : score < 0 ? 'track' : 'undecided', reasons, score };
}

export interface SetFile {
  fileId: string;
  contentHash: string;
  name: string;
  durationSec: number | null;
}

/** The key two copies of a set share when their derived queries are equal. */
export function queryKey(name: string): string {
  const q = deriveQuery(name);
  const fold = (s: string | null) =>
    (s ?? '')
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return [fold(q.artist), fold(q.event), q.date?.value ?? ''].join('|');
}

/** Durations close enough for two files with the same query to be copies: within max(45 s, 2 %). */
export function sameLength(a: number | null, b: number | null): boolean {
  if (a == null || b == null) return false;
  return Math.abs(a - b) <= Math.max(45, 0.02 * Math.max(a, b));
}

/**
 * Groups copies of one set so each is looked up once: the same content, or the same derived query with
 * durations within max(45 s, 2 %). Groups are returned in input order; each lists its members.
 */
export function groupCopies(files: SetFile[]): SetFile[][] {
  const parent = files.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byHash = new Map<string, number>();
  const byQuery = new Map<string, number[]>();
  files.forEach((f, i) => {
    const h = byHash.get(f.contentHash);
    if (h !== undefined) union(h, i);
    else byHash.set(f.contentHash, i);
    const key = queryKey(f.name);
    if (key.replace(/\|/g, '') === '') return;
    const same = byQuery.get(key) ?? [];
    for (const j of same) if (sameLength(files[j].durationSec, f.durationSec)) union(j, i);
    same.push(i);
    byQuery.set(key, same);
  });
  const groups = new Map<number, SetFile[]>();
  files.forEach((f, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), f]);
  });
  return [...groups.values()];
}
