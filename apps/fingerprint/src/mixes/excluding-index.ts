import {
  keepPostings,
  type FingerprintIndex,
  type LookupOptions,
  type LookupResult,
  type Strategy,
} from '@crateflow/fingerprint';

/**
 * A read view of an index without some tracks: their postings never reach the matcher. Mix identification
 * uses it to leave out the mix itself, its other encodings and other mixes, which would otherwise match the
 * whole mix and drown the tracks it is made of. Writes are refused: this view is for look-ups only.
 */
export class ExcludingIndex implements FingerprintIndex {
  constructor(
    private readonly inner: FingerprintIndex,
    private readonly excluded: ReadonlySet<number>,
  ) {}

  async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult> {
    const found = await this.inner.lookup(strategy, hashes, options);
    if (this.excluded.size === 0) return found;
    let kept = 0;
    for (let i = 0; i < found.length; i++) if (!this.excluded.has(found.trackId[i])) kept++;
    if (kept === found.length) return found;
    return keepPostings(found, kept, (i) => !this.excluded.has(found.trackId[i]));
  }

  getTracks(trackIds: readonly number[]) {
    return this.inner.getTracks(trackIds.filter((t) => !this.excluded.has(t)));
  }

  countPostings(strategy: Strategy, trackId: number) {
    return this.inner.countPostings(strategy, trackId);
  }

  readBack(strategy: Strategy, trackId: number) {
    return this.inner.readBack(strategy, trackId);
  }

  ensureTrackId(): Promise<number> {
    return Promise.reject(new Error('ExcludingIndex is read-only'));
  }

  addPostings(): Promise<number> {
    return Promise.reject(new Error('ExcludingIndex is read-only'));
  }

  removeTrack(): Promise<number> {
    return Promise.reject(new Error('ExcludingIndex is read-only'));
  }

  replaceTrack(): Promise<never> {
    return Promise.reject(new Error('ExcludingIndex is read-only'));
  }

  /** The inner index belongs to the caller. */
  async close(): Promise<void> {}
}
