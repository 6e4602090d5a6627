/**
 * Which member of a duplicate group to keep as the canonical copy, and why, in words a person can
 * check: lossless over lossy, then the higher bitrate, then the more complete tags, then the shorter
 * path (closer to the top of the library, usually the organised copy). Nothing is deleted or moved
 * here; this only proposes.
 */
export interface DuplicateCandidate {
  id: string;
  path: string;
  /** null when unknown; unknown counts as lossy. */
  lossless: boolean | null;
  /** Bits per second; null when unknown (ranks below any known bitrate). */
  bitrate: number | null;
  /** 0–1, see tagCompleteness(). */
  tagCompleteness: number;
  /** Codec name for the reasons ("FLAC", "MPEG 1 Layer 3"); optional. */
  codec?: string | null;
}

export type Criterion = 'lossless' | 'bitrate' | 'tags' | 'path' | 'name';

export interface Comparison {
  /** The canonical member. */
  winnerId: string;
  otherId: string;
  /** The criterion that decided. */
  decidedBy: Criterion;
  /** Why, in words: the ties first, then what decided. */
  reason: string;
}

export interface CanonicalChoice {
  canonicalId: string;
  /** Member ids from best to worst. */
  ranking: string[];
  /** The canonical member against each other member, in ranking order. */
  comparisons: Comparison[];
}

/** Bitrates this close count as the same (VBR averages of one encoding differ a little). */
function sameBitrate(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(2000, 0.01 * Math.max(a, b));
}

export function formatBitrate(bps: number): string {
  return `${Math.round(bps / 1000)} kbps`;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
const describeFormat = (c: DuplicateCandidate) => (c.codec ? `${c.codec} ` : '');

/** Compares two members; negative when `a` should be kept over `b`. Returns the deciding step and the words. */
export function compareCandidates(
  a: DuplicateCandidate,
  b: DuplicateCandidate,
): { order: number; decidedBy: Criterion; reason: string } {
  const ties: string[] = [];
  const decide = (order: number, decidedBy: Criterion, words: string) => ({
    order,
    decidedBy,
    reason: [...ties, words].join('; '),
  });
  const aLossless = a.lossless === true;
  const bLossless = b.lossless === true;
  if (aLossless !== bLossless) {
    const [w, l] = aLossless ? [a, b] : [b, a];
    return decide(
      aLossless ? -1 : 1,
      'lossless',
      `${describeFormat(w)}lossless beats ${describeFormat(l)}lossy`.trim(),
    );
  }
  ties.push(aLossless ? 'both lossless' : 'both lossy');

  if (a.bitrate !== null || b.bitrate !== null) {
    if (a.bitrate === null || b.bitrate === null) {
      const known = a.bitrate === null ? b : a;
      return decide(
        a.bitrate === null ? 1 : -1,
        'bitrate',
        `known bitrate (${formatBitrate(known.bitrate!)}) beats unknown`,
      );
    }
    if (!sameBitrate(a.bitrate, b.bitrate)) {
      const aHigher = a.bitrate > b.bitrate;
      const [hi, lo] = aHigher ? [a.bitrate, b.bitrate] : [b.bitrate, a.bitrate];
      return decide(aHigher ? -1 : 1, 'bitrate', `higher bitrate: ${formatBitrate(hi)} beats ${formatBitrate(lo)}`);
    }
    ties.push(`same bitrate (${formatBitrate(a.bitrate)})`);
  } else {
    ties.push('bitrate unknown for both');
  }

  const tagDiff = a.tagCompleteness - b.tagCompleteness;
  if (Math.abs(tagDiff) >= 0.005) {
    const [hi, lo] = tagDiff > 0 ? [a.tagCompleteness, b.tagCompleteness] : [b.tagCompleteness, a.tagCompleteness];
    return decide(tagDiff > 0 ? -1 : 1, 'tags', `more complete tags: ${percent(hi)} beats ${percent(lo)}`);
  }
  ties.push(`equally complete tags (${percent(a.tagCompleteness)})`);

  const aLen = [...a.path].length;
  const bLen = [...b.path].length;
  if (aLen !== bLen) {
    const [short, long] = aLen < bLen ? [aLen, bLen] : [bLen, aLen];
    return decide(aLen < bLen ? -1 : 1, 'path', `shorter path: ${short} characters beats ${long}`);
  }
  ties.push(`same path length (${aLen} characters)`);
  const byName = a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return decide(byName, 'name', 'first by path name order');
}

export function chooseCanonical(members: readonly DuplicateCandidate[]): CanonicalChoice {
  if (members.length === 0) throw new RangeError('a duplicate group needs at least one member');
  const ranked = [...members].sort((a, b) => compareCandidates(a, b).order);
  const [best, ...rest] = ranked;
  return {
    canonicalId: best.id,
    ranking: ranked.map((m) => m.id),
    comparisons: rest.map((other) => {
      const { decidedBy, reason } = compareCandidates(best, other);
      return { winnerId: best.id, otherId: other.id, decidedBy, reason };
    }),
  };
}
