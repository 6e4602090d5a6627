import { Strategy } from '../params';
import { argsortInt32 } from '../sort';

/**
 * The compact posting layout: all postings whose hashes share a *key* (the hash shifted right by
 * `keyShift[strategy]`) live in one row as one byte string, sorted by (hash, track, time, aux) and
 * delta-coded with varints:
 *
 *   count (varint)
 *   per posting:
 *     hash − previous hash            varint   (only when keyShift > 0; the previous hash starts at key << shift)
 *     track: new hash → zigzag(track), same hash → track − previous track    varint
 *     time:  new track → zigzag(time), same track → time − previous time    varint
 *     aux:   landmark zigzag(aux − 192) varint (an 8-bit level, ~1 byte); triplet 4 bytes little-endian
 *
 * Why a key of several hashes for triplets: their 26-bit hash space is sparse (~1.5 postings per hash at
 * 1,000 h), so one row per hash would pay ~60 bytes of row and index overhead per posting. The lowest 4 bits
 * are the time-ratio cell, which a query probes as neighbours anyway, so a 16-hash key costs a look-up almost
 * nothing more. Landmark hashes (22 bits) are dense enough for one row per hash.
 */
export const PACKED_KEY_SHIFT: Record<Strategy, number> = { landmark: 0, triplet: 4 };

/** Landmark aux (an 8-bit level) is stored as zigzag(aux − this): ~1 byte for the usual levels. */
export const LANDMARK_AUX_BIAS = 192;

export interface PostingColumns {
  length: number;
  hash: Int32Array;
  trackId: Int32Array;
  time: Int32Array;
  aux: Int32Array;
}

/** Growable columns of postings (decode target and merge buffer). */
export class PostingColumnsBuffer implements PostingColumns {
  length = 0;
  hash: Int32Array;
  trackId: Int32Array;
  time: Int32Array;
  aux: Int32Array;

  constructor(capacity = 256) {
    this.hash = new Int32Array(capacity);
    this.trackId = new Int32Array(capacity);
    this.time = new Int32Array(capacity);
    this.aux = new Int32Array(capacity);
  }

  push(hash: number, trackId: number, time: number, aux: number): void {
    if (this.length === this.hash.length) this.reserve(this.length * 2 + 16);
    const i = this.length++;
    this.hash[i] = hash;
    this.trackId[i] = trackId;
    this.time[i] = time;
    this.aux[i] = aux;
  }

  reserve(capacity: number): void {
    if (capacity <= this.hash.length) return;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.hash = grow(this.hash);
    this.trackId = grow(this.trackId);
    this.time = grow(this.time);
    this.aux = grow(this.aux);
  }
}

/**
 * Sorts the postings of `p` in place by (hash, track, time): three stable radix argsorts, least significant
 * key first (linear time; a merge sorts hundreds of thousands of postings at once).
 */
export function sortPostings(p: PostingColumns): void {
  const n = p.length;
  for (const column of [p.time, p.trackId, p.hash]) {
    const order = argsortInt32(column, n);
    for (const a of [p.hash, p.trackId, p.time, p.aux]) {
      const src = a.slice(0, n);
      for (let i = 0; i < n; i++) a[i] = src[order[i]];
    }
  }
}

/** Byte writer for varints; grows by doubling. */
class ByteWriter {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }
  private ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const b = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    b.set(this.bytes.subarray(0, this.length));
    this.bytes = b;
  }
  /** Unsigned integer up to 2^53. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 128) {
      this.bytes[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.length++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.bytes;
    b[this.length++] = v & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 24) & 0xff;
  }
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unzigzag(v: number): number {
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/**
 * Encodes postings [start, end) of `p` (sorted by sortPostings, all with the same key) as one packed row.
 */
export function encodePackedRow(strategy: Strategy, p: PostingColumns, start: number, end: number): Uint8Array {
  const shift = PACKED_KEY_SHIFT[strategy];
  const triplet = strategy === 'triplet';
  const w = new ByteWriter((end - start) * (triplet ? 9 : 5) + 8);
  w.varint(end - start);
  let prevHash = shift > 0 ? (p.hash[start] >> shift) << shift : p.hash[start];
  let prevTrack = 0;
  let prevTime = 0;
  let first = true;
  for (let i = start; i < end; i++) {
    const h = p.hash[i];
    const tr = p.trackId[i];
    const t = p.time[i];
    const newHash = first || h !== prevHash;
    if (shift > 0) w.varint(h - prevHash);
    else if (!first && h !== prevHash) throw new RangeError('a landmark row holds exactly one hash');
    const newTrack = newHash || tr !== prevTrack;
    w.varint(newHash ? zigzag(tr) : tr - prevTrack);
    w.varint(newTrack ? zigzag(t) : t - prevTime);
    if (triplet) w.u32(p.aux[i]);
    else w.varint(zigzag(p.aux[i] - LANDMARK_AUX_BIAS));
    prevHash = h;
    prevTrack = tr;
    prevTime = t;
    first = false;
  }
  return w.bytes.slice(0, w.length);
}

/**
 * Reads a packed row of `key` posting by posting: `next()` fills `hash`, `trackId`, `time` and `aux` (and says
 * with `newHash` that the posting starts another hash) until it returns false. The one decoder of the row
 * format: a look-up walks it without a callback per posting. Throws on a truncated or malformed row,
 * trailing bytes included (checked when the last posting has been read).
 */
export class PackedRowReader {
  /** Postings in the row. */
  readonly count: number;
  hash: number;
  trackId = 0;
  time = 0;
  aux = 0;
  newHash = false;
  private read = 0;
  private pos = 0;
  private readonly shift: number;
  private readonly triplet: boolean;

  constructor(
    strategy: Strategy,
    key: number,
    private readonly bytes: Uint8Array,
  ) {
    if (bytes.length === 0) throw new RangeError('packed postings row is empty');
    this.shift = PACKED_KEY_SHIFT[strategy];
    this.triplet = strategy === 'triplet';
    this.hash = key << this.shift;
    this.count = this.varint();
    if (this.count === 0 && this.pos !== bytes.length) throw new RangeError('packed postings row has trailing bytes');
  }

  next(): boolean {
    if (this.read === this.count) return false;
    const bytes = this.bytes;
    const n = bytes.length;
    if (this.pos >= n) throw new RangeError('packed postings row is truncated');
    let newHash = this.read === 0;
    if (this.shift > 0) {
      const d = this.varint();
      if (d !== 0) newHash = true;
      this.hash += d;
    }
    const tv = this.varint();
    const newTrack = newHash || tv !== 0;
    this.trackId = newHash ? unzigzag(tv) : this.trackId + tv;
    const dt = this.varint();
    this.time = newTrack ? unzigzag(dt) : this.time + dt;
    if (this.triplet) {
      const pos = this.pos;
      if (pos + 4 > n) throw new RangeError('packed postings row is truncated');
      this.aux = bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24);
      this.pos = pos + 4;
    } else this.aux = unzigzag(this.varint()) + LANDMARK_AUX_BIAS;
    this.newHash = newHash;
    if (++this.read === this.count && this.pos !== n) throw new RangeError('packed postings row has trailing bytes');
    return true;
  }

  private varint(): number {
    const bytes = this.bytes;
    let b = bytes[this.pos++];
    if (b < 128) return b;
    let v = b & 127;
    let mul = 128;
    for (;;) {
      if (this.pos >= bytes.length) throw new RangeError('packed postings row is truncated');
      b = bytes[this.pos++];
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
      if (mul > 2 ** 49) throw new RangeError('packed postings row holds an overlong varint');
    }
  }
}

/**
 * Decodes a packed row of `key`. `visit(hash, track, time, aux)` is called for every posting in stored
 * order. Returns the number of postings. Throws on a truncated or malformed row.
 */
export function decodePackedRow(
  strategy: Strategy,
  key: number,
  bytes: Uint8Array,
  visit: (hash: number, trackId: number, time: number, aux: number) => void,
): number {
  const row = new PackedRowReader(strategy, key, bytes);
  while (row.next()) visit(row.hash | 0, row.trackId | 0, row.time | 0, row.aux | 0);
  return row.count;
}

/** The key of a hash in the packed table of a strategy. */
export function packedKeyOf(strategy: Strategy, hash: number): number {
  return hash >> PACKED_KEY_SHIFT[strategy];
}
