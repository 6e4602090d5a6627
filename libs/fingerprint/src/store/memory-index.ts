import { FINGERPRINT_ALGORITHM_VERSION, STRATEGIES, Strategy } from '../params';
import { PostingBatch } from '../postings';
import {
  EMPTY_LOOKUP,
  FingerprintIndex,
  IndexedTrack,
  LookupOptions,
  LookupResult,
  PostingReadBack,
  StoredCounts,
  assertSortedUnique,
  assertTrackId,
} from './fingerprint-index';

/**
 * Postings of one strategy in memory: entries in growable typed arrays, chained per hash through `next`,
 * with an open-addressing table from hash to the newest entry. About 17 bytes per posting; nothing is
 * allocated per posting. Removal marks entries dead (lookups skip them) and reclaims nothing: fine for
 * tests, benchmarks and a process that indexes once.
 */
class MemoryPostingTable {
  size = 0;
  private trackId = new Int32Array(1 << 16);
  private time = new Int32Array(1 << 16);
  private aux = new Int32Array(1 << 16);
  private next = new Int32Array(1 << 16);
  private alive = new Uint8Array(1 << 16);
  private keys = new Int32Array(1 << 16);
  private heads = new Int32Array(1 << 16).fill(-1);
  private distinct = 0;
  /** Entry ranges [start, end) written per track. */
  private readonly ranges = new Map<number, number[]>();

  add(trackId: number, batch: PostingBatch): number {
    const n = batch.length;
    this.reserve(this.size + n);
    const start = this.size;
    for (let i = 0; i < n; i++) {
      const e = this.size++;
      this.trackId[e] = trackId;
      this.time[e] = batch.time[i];
      this.aux[e] = batch.aux[i];
      this.alive[e] = 1;
      const slot = this.slotFor(batch.hash[i]);
      this.next[e] = this.heads[slot];
      this.heads[slot] = e;
    }
    let r = this.ranges.get(trackId);
    if (!r) this.ranges.set(trackId, (r = []));
    r.push(start, this.size);
    return n;
  }

  count(trackId: number): number {
    return this.readBack(trackId).count;
  }

  readBack(trackId: number): PostingReadBack {
    const r = this.ranges.get(trackId);
    let count = 0;
    let first = Infinity;
    let last = -Infinity;
    if (r) {
      for (let k = 0; k < r.length; k += 2) {
        for (let e = r[k]; e < r[k + 1]; e++) {
          if (!this.alive[e]) continue;
          count++;
          const t = this.time[e];
          if (t < first) first = t;
          if (t > last) last = t;
        }
      }
    }
    return { count, firstFrame: count ? first : null, lastFrame: count ? last : null };
  }

  remove(trackId: number): number {
    const r = this.ranges.get(trackId);
    if (!r) return 0;
    let n = 0;
    for (let k = 0; k < r.length; k += 2) {
      for (let e = r[k]; e < r[k + 1]; e++) {
        n += this.alive[e];
        this.alive[e] = 0;
      }
    }
    this.ranges.delete(trackId);
    return n;
  }

  lookup(hashes: Int32Array, maxPerHash: number): LookupResult {
    let cap = 1024;
    let hashIndex = new Int32Array(cap);
    let trackId = new Int32Array(cap);
    let time = new Int32Array(cap);
    let aux = new Int32Array(cap);
    let n = 0;
    const mask = this.keys.length - 1;
    for (let h = 0; h < hashes.length; h++) {
      const key = hashes[h];
      let slot = mix(key) & mask;
      while (this.heads[slot] !== -1 && this.keys[slot] !== key) slot = (slot + 1) & mask;
      let e = this.heads[slot];
      if (e === -1) continue;
      if (maxPerHash < Infinity) {
        let c = 0;
        for (let x = e; x !== -1 && c <= maxPerHash; x = this.next[x]) c += this.alive[x];
        if (c > maxPerHash) continue;
      }
      for (; e !== -1; e = this.next[e]) {
        if (!this.alive[e]) continue;
        if (n === cap) {
          cap *= 2;
          hashIndex = grow(hashIndex, cap);
          trackId = grow(trackId, cap);
          time = grow(time, cap);
          aux = grow(aux, cap);
        }
        hashIndex[n] = h;
        trackId[n] = this.trackId[e];
        time[n] = this.time[e];
        aux[n] = this.aux[e];
        n++;
      }
    }
    return { length: n, hashIndex, trackId, time, aux };
  }

  /** Bytes held by the typed arrays (what a benchmark should report as the in-memory index size). */
  bytes(): number {
    return this.trackId.byteLength * 4 + this.alive.byteLength + this.keys.byteLength + this.heads.byteLength;
  }

  private slotFor(key: number): number {
    let mask = this.keys.length - 1;
    let slot = mix(key) & mask;
    while (this.heads[slot] !== -1) {
      if (this.keys[slot] === key) return slot;
      slot = (slot + 1) & mask;
    }
    if ((this.distinct + 1) * 2 > this.keys.length) {
      this.rehash(this.keys.length * 2);
      mask = this.keys.length - 1;
      slot = mix(key) & mask;
      while (this.heads[slot] !== -1) slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.distinct++;
    return slot;
  }

  private rehash(capacity: number): void {
    const oldKeys = this.keys;
    const oldHeads = this.heads;
    this.keys = new Int32Array(capacity);
    this.heads = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldHeads[i] === -1) continue;
      let slot = mix(oldKeys[i]) & mask;
      while (this.heads[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = oldKeys[i];
      this.heads[slot] = oldHeads[i];
    }
  }

  private reserve(n: number): void {
    if (n <= this.trackId.length) return;
    let cap = this.trackId.length;
    while (cap < n) cap *= 2;
    this.trackId = grow(this.trackId, cap);
    this.time = grow(this.time, cap);
    this.aux = grow(this.aux, cap);
    this.next = grow(this.next, cap);
    const alive = new Uint8Array(cap);
    alive.set(this.alive);
    this.alive = alive;
  }
}

/** Spreads hash bits before masking (hashes put their most variable fields in different bit ranges). */
function mix(key: number): number {
  const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

function grow(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a.subarray(0, Math.min(a.length, cap)));
  return b;
}

/** In-memory FingerprintIndex for tests, benchmarks and one-off runs. Not shared between processes. */
export class MemoryFingerprintIndex implements FingerprintIndex {
  private readonly tables: Record<Strategy, MemoryPostingTable> = {
    landmark: new MemoryPostingTable(),
    triplet: new MemoryPostingTable(),
  };
  private readonly tracks = new Map<number, IndexedTrack>();
  private readonly externalIds = new Map<string, number>();
  private nextTrackId = 1;

  async ensureTrackId(externalId: string): Promise<number> {
    let id = this.externalIds.get(externalId);
    if (id === undefined) {
      id = this.nextTrackId++;
      this.externalIds.set(externalId, id);
    }
    return id;
  }

  async addPostings(strategy: Strategy, trackId: number, batch: PostingBatch): Promise<number> {
    assertTrackId(trackId);
    return this.tables[strategy].add(trackId, batch);
  }

  async countPostings(strategy: Strategy, trackId: number): Promise<number> {
    return this.tables[strategy].count(trackId);
  }

  async readBack(strategy: Strategy, trackId: number): Promise<PostingReadBack> {
    return this.tables[strategy].readBack(trackId);
  }

  async removeTrack(trackId: number): Promise<number> {
    this.tracks.delete(trackId);
    let n = 0;
    for (const s of STRATEGIES) n += this.tables[s].remove(trackId);
    return n;
  }

  async lookup(strategy: Strategy, hashes: Int32Array, options: LookupOptions = {}): Promise<LookupResult> {
    if (hashes.length === 0) return EMPTY_LOOKUP;
    assertSortedUnique(hashes);
    return this.tables[strategy].lookup(hashes, options.maxPostingsPerHash ?? Infinity);
  }

  async replaceTrack(
    trackId: number,
    durationSec: number,
    postings: Record<Strategy, PostingBatch>,
  ): Promise<StoredCounts> {
    assertTrackId(trackId);
    await this.removeTrack(trackId);
    for (const s of STRATEGIES) this.tables[s].add(trackId, postings[s]);
    const counts = { landmark: this.tables.landmark.count(trackId), triplet: this.tables.triplet.count(trackId) };
    this.tracks.set(trackId, {
      trackId,
      externalId: [...this.externalIds].find(([, id]) => id === trackId)?.[0] ?? null,
      durationSec,
      landmarkPostings: counts.landmark,
      tripletPostings: counts.triplet,
      algorithmVersion: FINGERPRINT_ALGORITHM_VERSION,
    });
    return counts;
  }

  async getTracks(trackIds: readonly number[]): Promise<Map<number, IndexedTrack>> {
    const out = new Map<number, IndexedTrack>();
    for (const id of trackIds) {
      const t = this.tracks.get(id);
      if (t) out.set(id, { ...t });
    }
    return out;
  }

  /** Postings held (alive or not) and bytes of typed arrays, per strategy. */
  memoryStats(): Record<Strategy, { postings: number; bytes: number }> {
    return {
      landmark: { postings: this.tables.landmark.size, bytes: this.tables.landmark.bytes() },
      triplet: { postings: this.tables.triplet.size, bytes: this.tables.triplet.bytes() },
    };
  }

  async close(): Promise<void> {
    // Nothing to release: the arrays go with the object.
  }
}
