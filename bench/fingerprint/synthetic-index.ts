/**
 * The scale generator of bench/fingerprint/index-scale.ts: writes a synthetic library of many hours straight
 * into the packed tier of a PostgreSQL fingerprint index, without audio, with the hash and time statistics
 * of real music measured from real fingerprints (measureMusicStatistics):
 *
 *  - hash values: every generated hash joins the two halves of a hash from two different real postings —
 *    landmarks: the anchor bin of one, the (bin difference, frame difference) of another whose anchor lies in
 *    the same 1/16 of the spectrum; triplets: the coarse pitch/duration cells (u, v) of one with the invariant
 *    cells (d2, d3, r) of another. So each half keeps its measured distribution (popular anchor bins, short
 *    frame differences, common musical intervals and rhythmic ratios: the popular-hash skew), while the
 *    combinations spread over the hash space like a library of many songs instead of copies of a few;
 *  - repetition inside a track: real music repeats (bars, loops), so a share of a track's postings reuse a
 *    hash it already produced; that share is measured per strategy and reproduced;
 *  - time: each track walks the posting times of a real recording (from a random point, wrapping), so
 *    postings per second and their burstiness (onsets, breaks) are those of real music;
 *  - track durations: log-normal, median 6 min, σ 0.35 (a DJ library: 3–12 min for ~95 % of tracks) — an
 *    assumption, not a measurement: the real recordings at hand are excerpts.
 *
 * Tracks get ids from `firstTrackId` up; fingerprint_packed_tracks records their counts like a merge would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Pool } from 'pg';
import { STRATEGIES, type Strategy, type TrackFingerprint } from '@crateflow/fingerprint';
import { encodePackedRow, PostingColumnsBuffer, sortPostings } from '../../libs/fingerprint/src/store/packed-postings';

const PACKED: Record<Strategy, string> = {
  landmark: 'fingerprint_landmark_packed',
  triplet: 'fingerprint_triplet_packed',
};
const KEY_SHIFT: Record<Strategy, number> = { landmark: 0, triplet: 4 };
const FRAMES_PER_SEC = 1 / 0.032;
const MEDIAN_TRACK_SEC = 360;
const TRACK_SIGMA = 0.35;
/**
 * Postings held in memory per pass (each pass keeps one slice of the key space and generates every track
 * again, so fewer passes cost less CPU and more memory: ~40 bytes per posting at the peak).
 * GENERATOR_POSTINGS_PER_PASS overrides it.
 */
const POSTINGS_PER_PASS = Number(process.env.GENERATOR_POSTINGS_PER_PASS ?? 25_000_000);

/** The split of a hash into the half that carries its pitch position and the half that does not. */
const SPLIT: Record<Strategy, { lowBits: number; bucketOf: (hash: number) => number }> = {
  // Landmark: anchor bin (bits 13–21) | bin difference, frame difference (bits 0–12); buckets of 32 anchor bins.
  landmark: { lowBits: 13, bucketOf: (h) => (h >>> 18) & 15 },
  // Triplet: u, v (bits 16–25) | d2, d3, r (bits 0–15); one bucket (the invariant part is pitch-free).
  triplet: { lowBits: 16, bucketOf: () => 0 },
};

interface StrategyStatistics {
  /** High halves (with their posting's aux) and low halves per bucket, from every real posting. */
  high: Int32Array;
  highAux: Int32Array;
  highBucket: Uint8Array;
  lowByBucket: Int32Array[];
  /** Share of a track's postings whose hash the track already produced earlier. */
  repeatShare: number;
  /** Postings per second of audible music. */
  perSec: number;
}

export interface MusicStatistics {
  strategies: Record<Strategy, StrategyStatistics>;
  /** Posting times of each real recording, per strategy (ascending), and its length in frames. */
  templates: { frames: number; times: Record<Strategy, Int32Array> }[];
  seconds: number;
}

export interface GeneratedIndex {
  tracks: number;
  postings: Record<Strategy, number>;
  seconds: number;
  hours: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Measures the statistics above from real fingerprints. */
export function measureMusicStatistics(fps: TrackFingerprint[]): MusicStatistics {
  const seconds = fps.reduce((s, fp) => s + fp.audibleSec, 0);
  const strategies = {} as Record<Strategy, StrategyStatistics>;
  for (const strategy of STRATEGIES) {
    const { lowBits, bucketOf } = SPLIT[strategy];
    const total = fps.reduce((n, fp) => n + fp[strategy].length, 0);
    const high = new Int32Array(total);
    const highAux = new Int32Array(total);
    const highBucket = new Uint8Array(total);
    const lows: number[][] = Array.from({ length: 16 }, () => []);
    let at = 0;
    let repeats = 0;
    for (const fp of fps) {
      const p = fp[strategy];
      const seen = new Set<number>();
      for (let i = 0; i < p.length; i++) {
        const h = p.hash[i];
        if (seen.has(h)) repeats++;
        else seen.add(h);
        high[at] = h >>> lowBits;
        highAux[at] = p.aux[i];
        highBucket[at] = bucketOf(h);
        lows[bucketOf(h)].push(h & ((1 << lowBits) - 1));
        at++;
      }
    }
    strategies[strategy] = {
      high,
      highAux,
      highBucket,
      lowByBucket: lows.map((l) => Int32Array.from(l)),
      repeatShare: total ? repeats / total : 0,
      perSec: total / seconds,
    };
  }
  const templates = fps.map((fp) => {
    const times = {} as Record<Strategy, Int32Array>;
    for (const s of STRATEGIES) times[s] = fp[s].time.slice(0, fp[s].length).sort();
    return { frames: Math.max(1, Math.ceil(fp.durationSec * FRAMES_PER_SEC)), times };
  });
  return { strategies, templates, seconds };
}

/** Durations of the generated tracks (seconds), summing to `hours`. */
export function trackDurations(hours: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const out: number[] = [];
  let total = 0;
  while (total < hours * 3600) {
    // Box–Muller normal → log-normal, clipped to 1–20 minutes.
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const sec = Math.min(1200, Math.max(60, Math.round(MEDIAN_TRACK_SEC * Math.exp(TRACK_SIGMA * z))));
    out.push(sec);
    total += sec;
  }
  return Float64Array.from(out);
}

/**
 * Calls `emit(hash, time, aux)` for every posting of generated track `id` (deterministic per id and strategy,
 * so a pass over one slice of the key space can regenerate the track and keep only its slice).
 */
export function generateTrack(
  stats: MusicStatistics,
  strategy: Strategy,
  id: number,
  durationSec: number,
  emit: (hash: number, time: number, aux: number) => void,
): void {
  const st = stats.strategies[strategy];
  const { lowBits } = SPLIT[strategy];
  const rnd = mulberry32(Math.imul(id, 0x9e3779b1) ^ (strategy === 'landmark' ? 0x1234567 : 0x7654321));
  const tpl = stats.templates[Math.floor(rnd() * stats.templates.length)];
  const times = tpl.times[strategy];
  if (times.length === 0) return;
  const frames = Math.floor(durationSec * FRAMES_PER_SEC);
  let k = Math.floor(rnd() * times.length);
  let base = -times[k];
  const produced: number[] = [];
  for (;;) {
    const t = base + times[k];
    if (t >= frames) break;
    let hash: number;
    let aux: number;
    if (produced.length > 0 && rnd() < st.repeatShare) {
      const j = produced[Math.floor(rnd() * produced.length)];
      hash = j;
      const a = Math.floor(rnd() * st.high.length);
      aux = st.highAux[a];
    } else {
      const a = Math.floor(rnd() * st.high.length);
      const lows = st.lowByBucket[st.highBucket[a]];
      hash = (st.high[a] << lowBits) | lows[Math.floor(rnd() * lows.length)];
      aux = st.highAux[a];
      if (produced.length < 4096) produced.push(hash);
      else produced[Math.floor(rnd() * 4096)] = hash;
    }
    emit(hash, t, aux);
    k++;
    if (k === times.length) {
      k = 0;
      base += tpl.frames;
    }
  }
}

/**
 * Generates `hours` of synthetic tracks with the measured statistics and writes them, one slice of the key
 * space per pass (so memory stays bounded), into the packed tables.
 */
export async function generatePackedIndex(
  pool: Pool,
  stats: MusicStatistics,
  hours: number,
  firstTrackId: number,
  onProgress?: (s: string) => void,
): Promise<GeneratedIndex> {
  const t0 = performance.now();
  const durations = trackDurations(hours, firstTrackId);
  const tracks = durations.length;
  const postings: Record<Strategy, number> = { landmark: 0, triplet: 0 };
  const perTrack: Record<Strategy, { n: Int32Array; lo: Int32Array; hi: Int32Array }> = {
    landmark: { n: new Int32Array(tracks), lo: new Int32Array(tracks), hi: new Int32Array(tracks) },
    triplet: { n: new Int32Array(tracks), lo: new Int32Array(tracks), hi: new Int32Array(tracks) },
  };
  const audioSec = durations.reduce((s, d) => s + d, 0);
  for (const strategy of STRATEGIES) {
    const expected = stats.strategies[strategy].perSec * audioSec;
    const passes = Math.max(1, Math.ceil(expected / POSTINGS_PER_PASS));
    const keyBits = strategy === 'landmark' ? 22 : 22;
    const keyRange = 2 ** keyBits / passes;
    const shift = KEY_SHIFT[strategy];
    const st = perTrack[strategy];
    for (let pass = 0; pass < passes; pass++) {
      const buf = new PostingColumnsBuffer(Math.ceil((expected / passes) * 1.1) + 1024);
      for (let k = 0; k < tracks; k++) {
        const id = firstTrackId + k;
        generateTrack(stats, strategy, id, durations[k], (h, t, a) => {
          if (pass === 0) {
            if (st.n[k] === 0 || t < st.lo[k]) st.lo[k] = t;
            if (st.n[k] === 0 || t > st.hi[k]) st.hi[k] = t;
            st.n[k]++;
          }
          if (Math.floor((h >> shift) / keyRange) === pass) buf.push(h, id, t, a);
        });
      }
      postings[strategy] += buf.length;
      sortPostings(buf);
      let keys: number[] = [];
      let values: string[] = [];
      const flush = async () => {
        if (!keys.length) return;
        await pool.query(
          `INSERT INTO ${PACKED[strategy]} (hash_key, postings)
           SELECT k, decode(h, 'hex') FROM unnest($1::int4[], $2::text[]) AS u(k, h)`,
          [`{${keys.join(',')}}`, `{${values.join(',')}}`],
        );
        keys = [];
        values = [];
      };
      for (let start = 0; start < buf.length;) {
        const key = buf.hash[start] >> shift;
        let end = start + 1;
        while (end < buf.length && buf.hash[end] >> shift === key) end++;
        keys.push(key);
        values.push(Buffer.from(encodePackedRow(strategy, buf, start, end)).toString('hex'));
        start = end;
        if (keys.length >= 40_000) await flush();
      }
      await flush();
      onProgress?.(
        `${strategy} pass ${pass + 1}/${passes}: ${buf.length.toLocaleString('en')} postings (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  }
  await writeGeneratedTracks(pool, firstTrackId, durations, perTrack);
  return { tracks, postings, seconds: (performance.now() - t0) / 1000, hours: audioSec / 3600 };
}

/** Hashes of generated tracks (ids from firstTrackId) adding up to about `seconds` of audio. */
export function generatedSample(stats: MusicStatistics, strategy: Strategy, seconds: number, firstTrackId: number) {
  const out: number[] = [];
  const durations = trackDurations(seconds / 3600, firstTrackId);
  durations.forEach((d, k) => generateTrack(stats, strategy, firstTrackId + k, d, (h) => out.push(h)));
  return Int32Array.from(out);
}

/**
 * Hash statistics of a set of postings, to compare generated with real: distinct hashes per posting and the
 * share of postings held by the most popular 1 % of the hashes (the skew a stop-list would cut).
 */
export function hashSkew(hashes: Int32Array): { distinctPerPosting: number; top1PercentShare: number } {
  const sorted = Int32Array.from(hashes).sort();
  const counts: number[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    counts.push(j - i);
    i = j;
  }
  counts.sort((a, b) => b - a);
  const top = Math.max(1, Math.round(counts.length / 100));
  let inTop = 0;
  for (let i = 0; i < top; i++) inTop += counts[i];
  return { distinctPerPosting: counts.length / Math.max(1, sorted.length), top1PercentShare: inTop / sorted.length };
}

/**
 * The same statistical model as generateTrack, generated key by key instead of track by track, so that an
 * index of any size is written in one pass, in key order, with no sort of the whole and no regeneration per
 * slice of the key space (generatePackedIndex regenerates every track once per pass: at 10,000 h that is
 * ~24 passes over 2 G postings). What is kept, per strategy:
 *  - a fresh posting's hash follows the same product distribution (the pitch half drawn from the real
 *    postings, the pitch-free half from the real postings of the same part of the spectrum), and its aux is
 *    that of a real posting with the same pitch half: per hash the count of fresh postings is Poisson with
 *    mean (fresh postings of the library) × P(hash), assigned to tracks in proportion to their length;
 *  - repetition inside a track: each fresh posting is followed by Poisson(r / (1 − r)) more of the same
 *    hash in the same track (r: the measured share of postings repeating a hash the track already has), so
 *    the share of repeats and the mean postings per (hash, track) are those measured;
 *  - postings per second of each track: those of the real recording it is modelled on (as generateTrack).
 * What differs: a posting's time is uniform within its track (generateTrack walks a real recording's posting
 * times, so its bursts are real); nothing in a packed row or a look-up depends on bursts across hashes.
 */
export async function generateKeyOrdered(
  stats: MusicStatistics,
  strategy: Strategy,
  durations: Float64Array,
  firstTrackId: number,
  emitRow: (key: number, rows: PostingColumnsBuffer) => Promise<void> | void,
  perTrack?: { n: Int32Array; lo: Int32Array; hi: Int32Array },
): Promise<number> {
  const st = stats.strategies[strategy];
  const { lowBits } = SPLIT[strategy];
  const shift = KEY_SHIFT[strategy];
  const rnd = mulberry32(firstTrackId ^ (strategy === 'landmark' ? 0x51ed27 : 0x2f4a11));
  const tracks = durations.length;
  // Expected postings of each track (the rate of the recording it is modelled on) and the fresh share.
  const frames = new Int32Array(tracks);
  const cumulative = new Float64Array(tracks);
  let total = 0;
  for (let k = 0; k < tracks; k++) {
    const pick = mulberry32(Math.imul(firstTrackId + k, 0x9e3779b1) ^ 0x3c6ef372);
    const tpl = stats.templates[Math.floor(pick() * stats.templates.length)];
    const rate = tpl.times[strategy].length / (tpl.frames / FRAMES_PER_SEC);
    frames[k] = Math.max(1, Math.floor(durations[k] * FRAMES_PER_SEC));
    total += rate * durations[k];
    cumulative[k] = total;
  }
  const fresh = total * (1 - st.repeatShare);
  const repeatMean = st.repeatShare / Math.max(1e-9, 1 - st.repeatShare);
  // The pitch halves with their weights and the aux of every real posting of each; the free halves per bucket.
  const byHigh = new Map<number, number[]>();
  for (let a = 0; a < st.high.length; a++) {
    const list = byHigh.get(st.high[a]);
    if (list) list.push(st.highAux[a]);
    else byHigh.set(st.high[a], [st.highAux[a]]);
  }
  const highs = [...byHigh.keys()].sort((x, y) => x - y);
  const bucketOfHigh = new Map<number, number>();
  for (let a = 0; a < st.high.length; a++) bucketOfHigh.set(st.high[a], st.highBucket[a]);
  const lowsOf = st.lowByBucket.map((lows) => {
    const counts = new Map<number, number>();
    for (const l of lows) counts.set(l, (counts.get(l) ?? 0) + 1);
    const values = Int32Array.from([...counts.keys()].sort((x, y) => x - y));
    const p = Float64Array.from(values, (v) => counts.get(v)! / lows.length);
    return { values, p };
  });
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda > 40) {
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
    }
    const limit = Math.exp(-lambda);
    let n = 0;
    for (let p = rnd(); p > limit; p *= rnd()) n++;
    return n;
  };
  const pickTrack = (): number => {
    const x = rnd() * total;
    let lo = 0;
    let hi = tracks - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // One hash's postings before sorting by (track, time): track index, time, aux.
  let occ = { k: new Int32Array(1024), t: new Int32Array(1024), a: new Int32Array(1024) };
  let sortKey = new Float64Array(1024);
  const row = new PostingColumnsBuffer(4096);
  let rowKey = NaN;
  let emitted = 0;
  const flush = async () => {
    if (row.length) {
      await emitRow(rowKey, row);
      emitted += row.length;
    }
    row.length = 0;
  };
  for (const high of highs) {
    const auxes = byHigh.get(high)!;
    const pHigh = auxes.length / st.high.length;
    const { values, p } = lowsOf[bucketOfHigh.get(high)!];
    for (let li = 0; li < values.length; li++) {
      const c = poisson(fresh * pHigh * p[li]);
      if (c === 0) continue;
      const hash = (high << lowBits) | values[li];
      let m = 0;
      const add = (k: number, a: number) => {
        if (m === occ.k.length) {
          const cap = m * 2;
          const grow = (x: Int32Array) => {
            const y = new Int32Array(cap);
            y.set(x);
            return y;
          };
          occ = { k: grow(occ.k), t: grow(occ.t), a: grow(occ.a) };
          sortKey = new Float64Array(cap);
        }
        occ.k[m] = k;
        occ.t[m] = Math.floor(rnd() * frames[k]);
        occ.a[m] = a;
        m++;
      };
      for (let f = 0; f < c; f++) {
        const k = pickTrack();
        add(k, auxes[Math.floor(rnd() * auxes.length)]);
        for (let r = poisson(repeatMean); r > 0; r--) add(k, st.highAux[Math.floor(rnd() * st.highAux.length)]);
      }
      // Sort by (track, time). Track index (< 2^17), frame (< 2^16) and the posting's index fit in one double
      // when the index needs at most 20 bits; a hash with more postings than that is sorted by comparison.
      const indexBits = Math.max(1, Math.ceil(Math.log2(m + 1)));
      let order: Float64Array | Int32Array;
      if (indexBits <= 20 && tracks < 2 ** 17) {
        const scale = 2 ** indexBits;
        for (let i = 0; i < m; i++) sortKey[i] = (occ.k[i] * 65536 + Math.min(65535, occ.t[i])) * scale + i;
        order = sortKey.subarray(0, m).sort();
        for (let i = 0; i < m; i++) order[i] = order[i] % scale;
      } else {
        order = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => occ.k[a] - occ.k[b] || occ.t[a] - occ.t[b]);
      }
      const key = hash >> shift;
      if (key !== rowKey) {
        await flush();
        rowKey = key;
      }
      for (let i = 0; i < m; i++) {
        const j = order[i];
        const k = occ.k[j];
        const t = occ.t[j];
        if (i > 0 && (k < occ.k[order[i - 1]] || (k === occ.k[order[i - 1]] && t < occ.t[order[i - 1]])))
          throw new Error(`generator: postings of hash ${hash} out of (track, time) order`);
        row.push(hash, firstTrackId + k, t, occ.a[j]);
        if (perTrack) {
          if (perTrack.n[k] === 0 || t < perTrack.lo[k]) perTrack.lo[k] = t;
          if (perTrack.n[k] === 0 || t > perTrack.hi[k]) perTrack.hi[k] = t;
          perTrack.n[k]++;
        }
      }
    }
  }
  await flush();
  return emitted;
}

/** COPY … FROM STDIN (FORMAT binary) through psql: the packed rows stream in without any text encoding. */
class BinaryCopy {
  private readonly child: ChildProcess;
  private readonly done: Promise<void>;
  private chunk = Buffer.allocUnsafe(1 << 22);
  private at = 0;

  constructor(databaseUrl: string, table: string) {
    this.child = spawn(
      'psql',
      [
        databaseUrl,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `COPY ${table} (hash_key, postings) FROM STDIN (FORMAT binary)`,
      ],
      {
        stdio: ['pipe', 'inherit', 'inherit'],
      },
    );
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`psql COPY into ${table} exited ${code}`)),
      );
    });
    const header = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
    header.copy(this.chunk, 0);
    this.at = header.length;
    this.chunk.writeInt32BE(0, this.at);
    this.chunk.writeInt32BE(0, this.at + 4);
    this.at += 8;
  }

  /** Queues one row (key, packed bytes); resolves when the pipe has room again. */
  async row(key: number, bytes: Uint8Array): Promise<void> {
    const need = 2 + 8 + 4 + bytes.length;
    if (this.at + need > this.chunk.length) await this.send(need);
    const c = this.chunk;
    c.writeInt16BE(2, this.at);
    c.writeInt32BE(4, this.at + 2);
    c.writeInt32BE(key, this.at + 6);
    c.writeInt32BE(bytes.length, this.at + 10);
    c.set(bytes, this.at + 14);
    this.at += need;
  }

  async end(): Promise<void> {
    if (this.at + 2 > this.chunk.length) await this.send(2);
    this.chunk.writeInt16BE(-1, this.at);
    this.at += 2;
    await this.send(0);
    this.child.stdin!.end();
    await this.done;
  }

  private async send(room: number): Promise<void> {
    const out = this.chunk.subarray(0, this.at);
    this.chunk = Buffer.allocUnsafe(Math.max(1 << 22, room));
    this.at = 0;
    if (!this.child.stdin!.write(out)) await new Promise((r) => this.child.stdin!.once('drain', r));
  }
}

/**
 * generatePackedIndex's result with the key-ordered generator (generateKeyOrdered): one pass per strategy,
 * rows encoded as they are generated and streamed in with binary COPY. `databaseUrl` names the same
 * database as `pool` (psql runs the COPY).
 */
export async function generatePackedIndexFast(
  pool: Pool,
  databaseUrl: string,
  stats: MusicStatistics,
  hours: number,
  firstTrackId: number,
  onProgress?: (s: string) => void,
): Promise<GeneratedIndex> {
  const t0 = performance.now();
  const durations = trackDurations(hours, firstTrackId);
  const tracks = durations.length;
  const postings: Record<Strategy, number> = { landmark: 0, triplet: 0 };
  const perTrack: Record<Strategy, { n: Int32Array; lo: Int32Array; hi: Int32Array }> = {
    landmark: { n: new Int32Array(tracks), lo: new Int32Array(tracks), hi: new Int32Array(tracks) },
    triplet: { n: new Int32Array(tracks), lo: new Int32Array(tracks), hi: new Int32Array(tracks) },
  };
  for (const strategy of STRATEGIES) {
    const copy = new BinaryCopy(databaseUrl, PACKED[strategy]);
    let rows = 0;
    postings[strategy] = await generateKeyOrdered(
      stats,
      strategy,
      durations,
      firstTrackId,
      (key, row) => {
        rows++;
        return copy.row(key, encodePackedRow(strategy, row, 0, row.length));
      },
      perTrack[strategy],
    );
    await copy.end();
    onProgress?.(
      `${strategy}: ${postings[strategy].toLocaleString('en')} postings in ${rows.toLocaleString('en')} rows (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  await writeGeneratedTracks(pool, firstTrackId, durations, perTrack);
  const audioSec = durations.reduce((s, d) => s + d, 0);
  return { tracks, postings, seconds: (performance.now() - t0) / 1000, hours: audioSec / 3600 };
}

/** The per-track tables of the generated tracks (counts and frame ranges, as a merge records them). */
async function writeGeneratedTracks(
  pool: Pool,
  firstTrackId: number,
  durations: Float64Array,
  perTrack: Record<Strategy, { n: Int32Array; lo: Int32Array; hi: Int32Array }>,
): Promise<void> {
  const tracks = durations.length;
  const ids = Array.from({ length: tracks }, (_, k) => firstTrackId + k);
  for (let start = 0; start < tracks; start += 20_000) {
    const end = Math.min(tracks, start + 20_000);
    const part = ids.slice(start, end);
    for (const strategy of STRATEGIES) {
      const st = perTrack[strategy];
      await pool.query(
        `INSERT INTO fingerprint_packed_tracks (track_id, strategy, postings, first_frame, last_frame)
         SELECT t, $2, n, lo, hi FROM unnest($1::int4[], $3::int4[], $4::int4[], $5::int4[]) AS u(t, n, lo, hi)`,
        [
          `{${part.join(',')}}`,
          strategy,
          `{${st.n.subarray(start, end).join(',')}}`,
          `{${st.lo.subarray(start, end).join(',')}}`,
          `{${st.hi.subarray(start, end).join(',')}}`,
        ],
      );
    }
    await pool.query(
      `INSERT INTO fingerprint_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT t, d, 0, 0, 0, now() FROM unnest($1::int4[], $2::real[]) AS u(t, d)`,
      [`{${part.join(',')}}`, `{${durations.subarray(start, end).join(',')}}`],
    );
  }
}
