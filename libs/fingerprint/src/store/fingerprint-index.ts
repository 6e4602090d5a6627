import { Strategy } from '../params';
import { PostingBatch } from '../postings';

/**
 * Postings found for a set of hashes: row i says hash `hashes[hashIndex[i]]` occurs in track `trackId[i]`
 * at frame `time[i]` (with the stored `aux`). Rows come in no particular order (a store with several tiers
 * returns a hash's postings from each).
 */
export interface LookupResult {
  readonly length: number;
  readonly hashIndex: Int32Array;
  readonly trackId: Int32Array;
  readonly time: Int32Array;
  readonly aux: Int32Array;
}

/** The rows of `found` that `keep` accepts, in their order; `kept` is how many it accepts (counted first). */
export function keepPostings(found: LookupResult, kept: number, keep: (row: number) => boolean): LookupResult {
  const out = {
    length: kept,
    hashIndex: new Int32Array(kept),
    trackId: new Int32Array(kept),
    time: new Int32Array(kept),
    aux: new Int32Array(kept),
  };
  for (let i = 0, k = 0; i < found.length; i++) {
    if (!keep(i)) continue;
    out.hashIndex[k] = found.hashIndex[i];
    out.trackId[k] = found.trackId[i];
    out.time[k] = found.time[i];
    out.aux[k] = found.aux[i];
    k++;
  }
  return out;
}

export interface LookupOptions {
  /**
   * Hashes with more postings than this are skipped (they say nothing about which track plays: the
   * acoustic equivalent of a stop word). Default: no limit.
   */
  maxPostingsPerHash?: number;
  /**
   * The matcher's stop-list relative to the library (applied by collectMatches, whatever the index): a hash
   * found with more than this many times the median postings of the hashes found in the same look-up (and
   * more than `popularHashFloor`) is skipped. The median grows with the library, so the cap does too; what
   * it cuts is the tail of very popular hashes, where most of a large library's look-up work goes.
   * 0 or undefined: no relative cap.
   */
  popularHashFactor?: number;
  /** Hashes with at most this many postings are never skipped by `popularHashFactor` (default 64). */
  popularHashFloor?: number;
}

/** What the index remembers about an indexed track besides its postings. */
export interface IndexedTrack {
  trackId: number;
  /** The external recording id given to ensureTrackId, if any. */
  externalId?: string | null;
  durationSec: number;
  /** Postings counted in the postings tables when the track was stored (observed, not computed). */
  landmarkPostings: number;
  tripletPostings: number;
  algorithmVersion: number;
}

/** What the store holds for one track and strategy, read from the postings themselves. */
export interface PostingReadBack {
  count: number;
  /** Smallest and largest stored anchor frame; null when nothing is stored. */
  firstFrame: number | null;
  lastFrame: number | null;
}

export interface StoredCounts {
  landmark: number;
  triplet: number;
}

/**
 * Storage of fingerprint postings, shared by every strategy. Track ids are any 32-bit signed integer and
 * times are 32-bit frame numbers (32 ms each, so 2^31 frames ≈ 2.2 years of audio in one file): there is no
 * packing of id and time into one word, and so no capacity cap and no time horizon.
 */
export interface FingerprintIndex {
  /**
   * The compact 32-bit track id of an external recording id (a uuid: 16 bytes per posting would quadruple
   * the id column), allocated on first use and stable afterwards.
   */
  ensureTrackId(externalId: string): Promise<number>;
  /** Appends postings of one track; returns how many the store accepted. */
  addPostings(strategy: Strategy, trackId: number, batch: PostingBatch): Promise<number>;
  /** Counts the postings actually stored for a track, by reading them back. */
  countPostings(strategy: Strategy, trackId: number): Promise<number>;
  /** Count and time range of the postings stored for a track (catches a time horizon as well as loss). */
  readBack(strategy: Strategy, trackId: number): Promise<PostingReadBack>;
  /** Removes a track's postings of every strategy and its track record; returns postings removed. */
  removeTrack(trackId: number): Promise<number>;
  /**
   * Looks up many hashes at once. `hashes` must be sorted ascending (as signed int32) and free of duplicates.
   */
  lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult>;
  /**
   * Atomically replaces everything stored for a track: removes old postings, stores the new ones, counts
   * what is now stored (read back), records the track with those observed counts, and returns them.
   */
  replaceTrack(trackId: number, durationSec: number, postings: Record<Strategy, PostingBatch>): Promise<StoredCounts>;
  getTracks(trackIds: readonly number[]): Promise<Map<number, IndexedTrack>>;
  close(): Promise<void>;
}

export function assertTrackId(trackId: number): void {
  if (!Number.isInteger(trackId) || trackId < -0x80000000 || trackId > 0x7fffffff) {
    throw new RangeError(`track id must be a 32-bit signed integer, got ${trackId}`);
  }
}

export function assertSortedUnique(hashes: Int32Array): void {
  for (let i = 1; i < hashes.length; i++) {
    if (hashes[i] <= hashes[i - 1]) throw new RangeError('lookup hashes must be sorted ascending without duplicates');
  }
}

export const EMPTY_LOOKUP: LookupResult = {
  length: 0,
  hashIndex: new Int32Array(0),
  trackId: new Int32Array(0),
  time: new Int32Array(0),
  aux: new Int32Array(0),
};
