import { MatchMode } from './matcher';
import { TimelineEntry } from './timeline';

/** Where a resolved entry was heard: through a library recording that is itself a mix. */
export interface NestedVia {
  /** The mix recording the query matched. */
  trackId: number;
  /** Its position at the entry's start, seconds. */
  refStartSec: number;
}

export type ResolvedTimelineEntry = TimelineEntry & { via?: NestedVia };

export interface ResolveNestedOptions {
  /** Pieces shorter than this (seconds of the query) are not reported. Default 8, as in buildTimeline. */
  minEntrySec?: number;
  /** Mixes inside mixes are followed this deep. Default 3. */
  maxDepth?: number;
  /**
   * The query's own entries that its timeline set aside as lying inside stronger ones (MixTimeline.shadowed).
   * One naming the track an inner timeline puts at that place, at the same alignment, is the query's direct
   * evidence of that track: the resolved piece then spans it (within the matched recording's entry) rather
   * than stopping at the inner timeline's boundary, which is where the *inner* recording's crossfade was
   * halfway — not where the query's copy of the track begins. A chance phantom never agrees with an inner
   * timeline on track, place and alignment, so it changes nothing.
   */
  shadowed?: readonly TimelineEntry[];
}

/**
 * Replaces timeline entries that name a library recording which is itself a mix with a known timeline (a
 * recorded set that holds the track the query plays) by the tracks inside it, at the corresponding offsets:
 * query time t maps to the mix's time m = refStart + speed·(t − start), and a track of the mix's timeline
 * that plays at m maps on to its own position. Speeds multiply and key shifts add. Parts of the entry where
 * the inner mix's timeline names nothing stay as the mix itself. A resolved entry that repeats one the query
 * found directly (same track, same place, same alignment) is kept once, with the union of both spans.
 *
 * `timelineOf(trackId)` returns the known timeline of a stored recording (in its own seconds), or undefined.
 */
export function resolveNestedMixes(
  entries: readonly TimelineEntry[],
  timelineOf: (trackId: number) => readonly TimelineEntry[] | undefined,
  options: ResolveNestedOptions = {},
): ResolvedTimelineEntry[] {
  const minEntrySec = options.minEntrySec ?? 8;
  const maxDepth = options.maxDepth ?? 3;
  const shadowed = options.shadowed ?? [];
  const expand = (e: ResolvedTimelineEntry, depth: number, seen: Set<number>): ResolvedTimelineEntry[] => {
    const inner = depth < maxDepth && !seen.has(e.trackId) ? timelineOf(e.trackId) : undefined;
    if (!inner || inner.length === 0) return [e];
    const toMix = (t: number) => e.refStartSec + e.speed * (t - e.startSec);
    const toQuery = (m: number) => e.startSec + (m - e.refStartSec) / e.speed;
    const m0 = toMix(e.startSec);
    const m1 = toMix(e.endSec);
    const out: ResolvedTimelineEntry[] = [];
    const covered: [number, number][] = [];
    for (const x of inner) {
      let from = Math.max(m0, x.startSec);
      let to = Math.min(m1, x.endSec);
      if (to <= from) continue;
      // The query's direct evidence of this track here, if its timeline set it aside (see options.shadowed).
      for (const d of shadowed) {
        if (d.trackId !== x.trackId) continue;
        const dFrom = Math.max(m0, toMix(d.startSec));
        const dTo = Math.min(m1, toMix(d.endSec));
        const overlap = Math.min(to, dTo) - Math.max(from, dFrom);
        if (overlap <= 0.5 * Math.min(to - from, dTo - dFrom)) continue;
        const predicted = x.refStartSec + x.speed * (toMix(d.startSec) - x.startSec);
        if (Math.abs(predicted - d.refStartSec) > SAME_ALIGNMENT_SEC) continue;
        from = Math.min(from, dFrom);
        to = Math.max(to, dTo);
      }
      covered.push([from, to]);
      const startSec = toQuery(from);
      const endSec = toQuery(to);
      if (endSec - startSec < minEntrySec) continue;
      const piece: ResolvedTimelineEntry = {
        trackId: x.trackId,
        startSec: round3(startSec),
        endSec: round3(endSec),
        refStartSec: round3(Math.max(0, x.refStartSec + x.speed * (from - x.startSec))),
        speed: Math.round(e.speed * x.speed * 10000) / 10000,
        mode: composeMode(e.mode, x.mode),
        keySemitones: Math.round((e.keySemitones + x.keySemitones) * 100) / 100,
        confidence: Math.min(e.confidence, x.confidence),
        score: Math.round((e.score * (endSec - startSec)) / Math.max(1e-9, e.endSec - e.startSec)),
        via: e.via ?? { trackId: e.trackId, refStartSec: round3(from) },
      };
      out.push(...expand(piece, depth + 1, new Set([...seen, e.trackId])));
    }
    // What the inner timeline leaves unnamed is still that recording.
    covered.sort((a, b) => a[0] - b[0]);
    let cursor = m0;
    const rest: [number, number][] = [];
    for (const [from, to] of covered) {
      if (from > cursor) rest.push([cursor, from]);
      cursor = Math.max(cursor, to);
    }
    if (m1 > cursor) rest.push([cursor, m1]);
    for (const [from, to] of rest) {
      const startSec = toQuery(from);
      const endSec = toQuery(to);
      if (endSec - startSec < minEntrySec) continue;
      out.push({
        ...e,
        startSec: round3(startSec),
        endSec: round3(endSec),
        refStartSec: round3(from),
        score: Math.round((e.score * (endSec - startSec)) / Math.max(1e-9, e.endSec - e.startSec)),
      });
    }
    return out;
  };
  const resolved = entries.flatMap((e) => expand(e, 0, new Set()));
  return dedupe(resolved).sort((a, b) => a.startSec - b.startSec || b.confidence - a.confidence);
}

function composeMode(outer: MatchMode, inner: MatchMode): MatchMode {
  if (outer === 'exact') return inner;
  if (inner === 'exact' || inner === outer) return outer;
  // Two different changes on top of each other: the outer one is what this query did.
  return outer;
}

/** Entries of one track at the same place with the same alignment, once (the more confident, union span). */
function dedupe(entries: ResolvedTimelineEntry[]): ResolvedTimelineEntry[] {
  const out: ResolvedTimelineEntry[] = [];
  const sorted = [...entries].sort((a, b) => b.confidence - a.confidence || b.score - a.score);
  for (const e of sorted) {
    const same = out.find((o) => {
      if (o.trackId !== e.trackId) return false;
      const overlap = Math.min(o.endSec, e.endSec) - Math.max(o.startSec, e.startSec);
      if (overlap <= 0.5 * Math.min(o.endSec - o.startSec, e.endSec - e.startSec)) return false;
      const predicted = o.refStartSec + o.speed * (e.startSec - o.startSec);
      return Math.abs(predicted - e.refStartSec) <= SAME_ALIGNMENT_SEC;
    });
    if (!same) {
      out.push({ ...e });
      continue;
    }
    if (e.startSec < same.startSec) {
      same.refStartSec = round3(same.refStartSec - same.speed * (same.startSec - e.startSec));
      same.startSec = e.startSec;
    }
    same.endSec = Math.max(same.endSec, e.endSec);
  }
  return out;
}

/** Track positions this close (seconds) at the same query time are one alignment. */
const SAME_ALIGNMENT_SEC = 3;

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
