import { token_set_ratio } from 'fuzzball';

export interface ComparableTrack {
  artist: string | null;
  title: string | null;
  cueSec: number | null;
  unknown: boolean;
}

/** Two sources agree on a track when artist and title match closely and the starts lie within this. */
export const AGREEMENT_WINDOW_SEC = 30;
const SAME_TEXT = 85;

const fold = (s: string | null) =>
  (s ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

export function sameTrack(a: ComparableTrack, b: ComparableTrack): boolean {
  if (a.unknown || b.unknown) return false;
  const ta = fold(a.title);
  const tb = fold(b.title);
  if (!ta || !tb || token_set_ratio(ta, tb, { full_process: false }) < SAME_TEXT) return false;
  const aa = fold(a.artist);
  const ab = fold(b.artist);
  if (aa && ab && token_set_ratio(aa, ab, { full_process: false }) < SAME_TEXT) return false;
  if (a.cueSec != null && b.cueSec != null && Math.abs(a.cueSec - b.cueSec) > AGREEMENT_WINDOW_SEC) return false;
  return true;
}

/**
 * Confidence after agreement: each other source that lists the same track at nearly the same time halves the
 * remaining doubt (a source without a confidence counts as 0.5).
 */
export function agreedConfidence(confidence: number | null, agreements: number): number | null {
  if (agreements === 0) return confidence;
  const c = confidence ?? 0.5;
  return Math.round((1 - (1 - c) * 0.5 ** agreements) * 1000) / 1000;
}
