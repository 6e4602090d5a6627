/**
 * The scale generator of bench/fingerprint/index-scale.ts: writes a synthetic library of many hours straight
 * into the packed tier of a PostgreSQL fingerprint index, without audio. Its postings have the statistics of
 * real music because they are real postings, transposed: each synthetic 4-minute track repeats the postings
 * of a real recording with the anchor frequency moved by a random amount per repetition (landmarks: the 9-bit
 * anchor bin ±48 bins; triplets: the coarse pitch cells u and v ±6), which keeps the measured rates per second,
 * the frequency differences, time differences and levels, and spreads them over the hash space like a library
 * of many different songs in many keys. Tracks get ids from `firstTrackId` up; fingerprint_packed_tracks
 * records their counts like a merge would.
 */
import type { Pool } from 'pg';
import { STRATEGIES, type Strategy, type TrackFingerprint } from '@crateflow/fingerprint';
import { encodePackedRow, PostingColumnsBuffer, sortPostings } from '../../libs/fingerprint/src/store/packed-postings';

const PACKED: Record<Strategy, string> = {
  landmark: 'fingerprint_landmark_packed',
  triplet: 'fingerprint_triplet_packed',
};
const KEY_SHIFT: Record<Strategy, number> = { landmark: 0, triplet: 4 };
const KEY_BITS: Record<Strategy, number> = { landmark: 22, triplet: 22 };
const TRACK_SEC = 240;
const FRAMES_PER_SEC = 1 / 0.032;

export interface GeneratedIndex {
  tracks: number;
  postings: Record<Strategy, number>;
  seconds: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function transpose(strategy: Strategy, hash: number, shift: number): number {
  if (strategy === 'landmark') {
    const bin = Math.max(0, Math.min(511, ((hash >>> 13) & 0x1ff) + shift));
    return (hash & 0x1fff) | (bin << 13);
  }
  const u = Math.max(0, Math.min(31, ((hash >>> 21) & 31) + (shift >> 3)));
  const v = Math.max(0, Math.min(31, ((hash >>> 16) & 31) + (shift >> 3)));
  return (hash & 0xffff) | (v << 16) | (u << 21);
}

/**
 * Generates `hours` of synthetic tracks from the real `templates` and writes them, partition by partition
 * of the key space (so memory stays bounded), into the packed tables.
 */
export async function generatePackedIndex(
  pool: Pool,
  templates: TrackFingerprint[],
  hours: number,
  firstTrackId: number,
  onProgress?: (s: string) => void,
): Promise<GeneratedIndex> {
  const t0 = performance.now();
  const tracks = Math.round((hours * 3600) / TRACK_SEC);
  const postings: Record<Strategy, number> = { landmark: 0, triplet: 0 };
  const perTrack = new Map<number, Record<Strategy, { n: number; lo: number; hi: number }>>();
  const partitions = Math.max(1, Math.ceil(hours / 150));
  for (const strategy of STRATEGIES) {
    const keyRange = 2 ** KEY_BITS[strategy] / partitions;
    for (let part = 0; part < partitions; part++) {
      const buf = new PostingColumnsBuffer(1 << 20);
      for (let k = 0; k < tracks; k++) {
        const id = firstTrackId + k;
        const rnd = mulberry32(id * 7919 + (strategy === 'landmark' ? 1 : 2));
        const tpl = templates[Math.floor(rnd() * templates.length)];
        const src = tpl[strategy];
        const tplFrames = Math.max(1, Math.ceil(tpl.durationSec * FRAMES_PER_SEC));
        const reps = Math.ceil(TRACK_SEC / tpl.durationSec);
        let stats = perTrack.get(id);
        if (!stats) perTrack.set(id, (stats = { landmark: { n: 0, lo: 0, hi: 0 }, triplet: { n: 0, lo: 0, hi: 0 } }));
        const st = stats[strategy];
        for (let r = 0; r < reps; r++) {
          const shift = Math.floor(rnd() * 97) - 48;
          const offset = r * tplFrames;
          for (let i = 0; i < src.length; i++) {
            const t = src.time[i] + offset;
            if (t >= TRACK_SEC * FRAMES_PER_SEC) continue;
            const h = transpose(strategy, src.hash[i], shift);
            const key = h >> KEY_SHIFT[strategy];
            if (part === 0) {
              if (st.n === 0 || t < st.lo) st.lo = t;
              if (st.n === 0 || t > st.hi) st.hi = t;
              st.n++;
            }
            if (Math.floor(key / keyRange) !== part) continue;
            buf.push(h, id, t, src.aux[i]);
          }
        }
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
        const key = buf.hash[start] >> KEY_SHIFT[strategy];
        let end = start + 1;
        while (end < buf.length && buf.hash[end] >> KEY_SHIFT[strategy] === key) end++;
        keys.push(key);
        values.push(Buffer.from(encodePackedRow(strategy, buf, start, end)).toString('hex'));
        start = end;
        if (keys.length >= 40_000) await flush();
      }
      await flush();
      onProgress?.(
        `${strategy} partition ${part + 1}/${partitions}: ${buf.length.toLocaleString('en')} postings (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const ids = [...perTrack.keys()];
  for (let start = 0; start < ids.length; start += 20_000) {
    const part = ids.slice(start, start + 20_000);
    for (const strategy of STRATEGIES) {
      await pool.query(
        `INSERT INTO fingerprint_packed_tracks (track_id, strategy, postings, first_frame, last_frame)
         SELECT t, $2, n, lo, hi FROM unnest($1::int4[], $3::int4[], $4::int4[], $5::int4[]) AS u(t, n, lo, hi)`,
        [
          `{${part.join(',')}}`,
          strategy,
          `{${part.map((id) => perTrack.get(id)![strategy].n).join(',')}}`,
          `{${part.map((id) => perTrack.get(id)![strategy].lo).join(',')}}`,
          `{${part.map((id) => perTrack.get(id)![strategy].hi).join(',')}}`,
        ],
      );
    }
    await pool.query(
      `INSERT INTO fingerprint_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT t, ${TRACK_SEC}, 0, 0, 0, now() FROM unnest($1::int4[]) AS u(t)`,
      [`{${part.join(',')}}`],
    );
  }
  return { tracks, postings, seconds: (performance.now() - t0) / 1000 };
}
