import { grownCopy } from './typed-arrays';

/**
 * Postings of one recording (or of one query) as parallel typed arrays, so that millions of them cost
 * 12 bytes each and no objects. `hash` is a 32-bit value kept in an Int32Array (PostgreSQL's int4 is
 * signed); `time` is the anchor's STFT frame; `aux` carries strategy-specific side information that is
 * stored with the posting but is not part of the key (see triplet.ts).
 */
export class PostingBuffer {
  length = 0;
  hash: Int32Array;
  time: Int32Array;
  aux: Int32Array;
  /** Index of the anchor peak in the peak list it came from (used by queries; never stored). */
  peak: Int32Array;

  constructor(capacity = 4096) {
    this.hash = new Int32Array(capacity);
    this.time = new Int32Array(capacity);
    this.aux = new Int32Array(capacity);
    this.peak = new Int32Array(capacity);
  }

  push(hash: number, time: number, aux: number, peak: number): void {
    if (this.length === this.hash.length) this.grow(this.length * 2);
    const i = this.length++;
    this.hash[i] = hash;
    this.time[i] = time;
    this.aux[i] = aux;
    this.peak[i] = peak;
  }

  /** A view of [start, end) sharing memory with this buffer (valid until the buffer grows). */
  slice(start: number, end: number): PostingBatch {
    return {
      length: end - start,
      hash: this.hash.subarray(start, end),
      time: this.time.subarray(start, end),
      aux: this.aux.subarray(start, end),
      peak: this.peak.subarray(start, end),
    };
  }

  /** The filled part as a batch (views, no copy). */
  batch(): PostingBatch {
    return this.slice(0, this.length);
  }

  private grow(capacity: number): void {
    this.hash = grownCopy(this.hash, capacity);
    this.time = grownCopy(this.time, capacity);
    this.aux = grownCopy(this.aux, capacity);
    this.peak = grownCopy(this.peak, capacity);
  }
}

/**
 * Level of an anchor peak (dB re full scale) in 8 bits, ½ dB steps from −127.5 to 0: stored with every
 * posting so that a match tells how loud the track plays in the query compared with the reference
 * (the DJ's fader), which is what places crossfade boundaries.
 */
export function packLevel(levelDb: number): number {
  return Math.max(0, Math.min(255, Math.round((levelDb + 127.5) * 2)));
}

export function unpackLevel(q: number): number {
  return (q & 0xff) / 2 - 127.5;
}

/** A read-only run of postings; what index stores accept. */
export interface PostingBatch {
  readonly length: number;
  readonly hash: Int32Array;
  readonly time: Int32Array;
  readonly aux: Int32Array;
  /** Anchor peak indices, when the batch is a query (stores ignore it). */
  readonly peak?: Int32Array;
}

/** Splits a batch into consecutive batches of at most `size` postings (views). */
export function* chunksOf(batch: PostingBatch, size: number): Generator<PostingBatch> {
  for (let start = 0; start < batch.length; start += size) {
    const end = Math.min(batch.length, start + size);
    yield {
      length: end - start,
      hash: batch.hash.subarray(start, end),
      time: batch.time.subarray(start, end),
      aux: batch.aux.subarray(start, end),
    };
  }
}
