import {
  clusterMatches,
  collectMatches,
  DEFAULT_POPULAR_HASH_FACTOR,
  MatchSet,
  withDefaultStopList,
  withoutPopularHashes,
} from './matcher';
import type { LookupResult } from './store/fingerprint-index';
import { BIN_HZ } from './params';
import { PeakList } from './peaks';
import { PostingBuffer } from './postings';
import { MemoryFingerprintIndex } from './store/memory-index';
import { appendLandmarks } from './landmark';
import { appendTripletProbes, appendTriplets, DEFAULT_SPEED_RANGE, semitonesOfPeaks } from './triplet';

function cloud(seconds: number, seed: number): { time: number[]; freq: number[] } {
  let s = seed;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const time: number[] = [];
  const freq: number[] = [];
  for (let t = 0; t < seconds * 31.25; t += 0.6 + rnd() * 4) {
    time.push(t);
    freq.push((150 * Math.pow(20, rnd())) / BIN_HZ);
  }
  return { time, freq };
}

function toList(time: number[], freq: number[]): PeakList {
  const order = time.map((_, i) => i).sort((a, b) => Math.floor(time[a]) - Math.floor(time[b]) || freq[a] - freq[b]);
  const p = new PeakList();
  for (const i of order) p.push(time[i], Math.floor(time[i]), Math.round(freq[i]), freq[i], 10, -20);
  return p;
}

async function indexOf(tracks: Record<number, PeakList>): Promise<MemoryFingerprintIndex> {
  const index = new MemoryFingerprintIndex();
  for (const [id, peaks] of Object.entries(tracks)) {
    const landmark = new PostingBuffer();
    appendLandmarks(peaks, 0, peaks.length, landmark);
    const triplet = new PostingBuffer();
    appendTriplets(peaks, semitonesOfPeaks(peaks, 0, peaks.length), 0, peaks.length, triplet);
    await index.replaceTrack(Number(id), 60, { landmark: landmark.batch(), triplet: triplet.batch() });
  }
  return index;
}

async function tripletHits(index: MemoryFingerprintIndex, q: PeakList) {
  const probes = new PostingBuffer();
  appendTripletProbes(q, semitonesOfPeaks(q, 0, q.length), 0, q.length, probes);
  const matches = new MatchSet();
  await collectMatches(index, 'triplet', probes.batch(), matches);
  return clusterMatches(matches, 'triplet', 0);
}

describe('matching', () => {
  const a = cloud(60, 1);
  const b = cloud(60, 2);
  let index: MemoryFingerprintIndex;
  beforeAll(async () => {
    index = await indexOf({ 10: toList(a.time, a.freq), 20: toList(b.time, b.freq) });
  });

  /** Query = track 10 from frame `from` for `frames` frames, played at `speed` (vinyl or key-locked). */
  function excerpt(from: number, frames: number, speed: number, vinyl: boolean): PeakList {
    const t: number[] = [];
    const f: number[] = [];
    for (let i = 0; i < a.time.length; i++) {
      if (a.time[i] < from || a.time[i] >= from + frames * speed) continue;
      t.push((a.time[i] - from) / speed);
      f.push(vinyl ? a.freq[i] * speed : a.freq[i]);
    }
    return toList(t, f);
  }

  it('landmarks: finds the track and its offset at exact speed', async () => {
    const q = excerpt(500, 400, 1, false);
    const probes = new PostingBuffer();
    appendLandmarks(q, 0, q.length, probes);
    const matches = new MatchSet();
    await collectMatches(index, 'landmark', probes.batch(), matches);
    const hits = clusterMatches(matches, 'landmark', 0);
    expect(hits[0]).toMatchObject({ trackId: 10, speed: 1, mode: 'exact' });
    expect(hits[0].refAtPivot).toBeCloseTo(500, 0);
    expect(hits.some((h) => h.trackId === 20)).toBe(false);
  });

  it.each([
    [1.08, true, 'vinyl'],
    [0.92, true, 'vinyl'],
    [1.06, false, 'stretch'],
    [0.94, false, 'stretch'],
  ])('triplets: speed %f (vinyl=%s) is found with its speed, mode and offset', async (speed, vinyl, mode) => {
    const hits = await tripletHits(index, excerpt(700, 450, speed, vinyl));
    expect(hits[0].trackId).toBe(10);
    expect(hits[0].mode).toBe(mode);
    expect(hits[0].speed).toBeCloseTo(speed, 2);
    // Reference frame at query frame 0 is where the excerpt was cut.
    expect(hits[0].refAtPivot - hits[0].speed * hits[0].pivot).toBeCloseTo(700, -0.5);
    expect(hits.some((h) => h.trackId === 20)).toBe(false);
  });

  /** Query = track 10 from frame 700, every peak `semitones` higher and every time scaled by `tempo`. */
  function shifted(semitones: number, tempo: number): PeakList {
    const t: number[] = [];
    const f: number[] = [];
    for (let i = 0; i < a.time.length; i++) {
      if (a.time[i] < 700 || a.time[i] >= 700 + 450 * tempo) continue;
      t.push((a.time[i] - 700) / tempo);
      f.push(a.freq[i] * 2 ** (semitones / 12));
    }
    return toList(t, f);
  }

  it.each([1, -1, 2, -2])(
    'triplets: a key shift of %d semitones without tempo change is found with its shift and offset',
    async (semitones) => {
      const hits = await tripletHits(index, shifted(semitones, 1));
      expect(hits[0].trackId).toBe(10);
      expect(hits[0].mode).toBe('key');
      expect(hits[0].speed).toBe(1);
      expect(hits[0].keySemitones).toBeCloseTo(semitones, 1);
      expect(hits[0].refAtPivot - hits[0].pivot).toBeCloseTo(700, -0.5);
      expect(hits.some((h) => h.trackId === 20)).toBe(false);
    },
  );

  it('triplets: a pitch shift beyond the key range, or with a tempo change that fits no mode, matches nothing', async () => {
    // 4 semitones with the tempo unchanged: outside the ±2.2 searched by default.
    expect(await tripletHits(index, shifted(4, 1))).toEqual([]);
    // One semitone up and 3 % faster: not vinyl (that would be 6 % faster), not key-locked, not a key shift.
    expect(await tripletHits(index, shifted(1, 1.03))).toEqual([]);
  });

  it('triplets: with the key search off (keySemitones 0) a key shift matches nothing, as before', async () => {
    const probes = new PostingBuffer();
    const q = shifted(1, 1);
    const speeds = { ...DEFAULT_SPEED_RANGE, keySemitones: 0 };
    appendTripletProbes(q, semitonesOfPeaks(q, 0, q.length), 0, q.length, probes, speeds);
    const matches = new MatchSet();
    await collectMatches(index, 'triplet', probes.batch(), matches, { speeds });
    expect(clusterMatches(matches, 'triplet', 0, { speeds })).toEqual([]);
  });
});

describe('withoutPopularHashes (the relative stop-list)', () => {
  /** Hash i holds counts[i] postings, tracks 100 + k. */
  function found(counts: number[]): LookupResult {
    const rows: number[][] = [];
    counts.forEach((n, h) => {
      for (let k = 0; k < n; k++) rows.push([h, 100 + k, 7 * k, h]);
    });
    return {
      length: rows.length,
      hashIndex: Int32Array.from(rows, (r) => r[0]),
      trackId: Int32Array.from(rows, (r) => r[1]),
      time: Int32Array.from(rows, (r) => r[2]),
      aux: Int32Array.from(rows, (r) => r[3]),
    };
  }

  it('drops the hashes found far more often than the median hash of the look-up, and nothing else', () => {
    const counts = [3, 2, 0, 4, 3, 70, 3, 2, 500, 3];
    const r = withoutPopularHashes(found(counts), counts.length, { popularHashFactor: 8, popularHashFloor: 16 });
    // median of the hashes found: 3 → cap max(16, 24) = 24: hashes 5 (70) and 8 (500) go.
    expect(new Set(r.hashIndex.subarray(0, r.length))).toEqual(new Set([0, 1, 3, 4, 6, 7, 9]));
    expect(r.length).toBe(3 + 2 + 4 + 3 + 3 + 2 + 3);
    for (let i = 0; i < r.length; i++) expect(r.aux[i]).toBe(r.hashIndex[i]); // rows stay whole
  });

  it('keeps everything under the floor, when off, and by default in a plain look-up', () => {
    const counts = [1, 1, 1, 40];
    const all = found(counts);
    expect(withoutPopularHashes(all, 4, { popularHashFactor: 8 })).toBe(all); // 40 ≤ floor 64
    expect(withoutPopularHashes(all, 4, { popularHashFactor: 8, popularHashFloor: 8 }).length).toBe(3);
    expect(withoutPopularHashes(all, 4, { popularHashFactor: 0, popularHashFloor: 8 })).toBe(all);
    expect(withoutPopularHashes(all, 4, undefined)).toBe(all);
    expect(withDefaultStopList(undefined).popularHashFactor).toBe(DEFAULT_POPULAR_HASH_FACTOR);
    expect(withDefaultStopList({ popularHashFactor: 0 }).popularHashFactor).toBe(0);
  });
});
