import { appendLandmarks, landmarkHash } from './landmark';
import { BIN_HZ } from './params';
import { PeakList } from './peaks';
import { PostingBuffer } from './postings';
import { appendTripletProbes, appendTriplets, auxLf, auxSpan, semitonesOfBin, semitonesOfPeaks } from './triplet';

/** A deterministic cloud of peaks: ~13 per second over `seconds`, frequencies 150–3000 Hz. */
function peakCloud(seconds: number, seed = 1): { time: number[]; freq: number[] } {
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

describe('landmark hashes', () => {
  it('pack anchor bin, bin difference and frame difference into 22 bits', () => {
    expect(landmarkHash(511, 63, 63)).toBe((511 << 13) | (127 << 6) | 63);
    expect(landmarkHash(13, -63, 1)).toBe((13 << 13) | (1 << 6) | 1);
    expect(landmarkHash(511, 63, 63)).toBeLessThan(2 ** 22);
  });

  it('pair each anchor with at most fanOut targets inside the zone', () => {
    const { time, freq } = peakCloud(10);
    const peaks = toList(time, freq);
    const out = new PostingBuffer();
    appendLandmarks(peaks, 0, peaks.length, out);
    expect(out.length).toBeLessThanOrEqual(peaks.length * 3);
    expect(out.length).toBeGreaterThan(peaks.length);
    for (let i = 0; i < out.length; i++) {
      const dt = out.hash[i] & 63;
      expect(dt).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('triplet hashes', () => {
  const { time, freq } = peakCloud(20, 5);
  const reference = toList(time, freq);
  const refPostings = new PostingBuffer();
  appendTriplets(reference, semitonesOfPeaks(reference, 0, reference.length), 0, reference.length, refPostings);

  /** Share of reference triplets whose hash is among the query's probes at the matching anchor. */
  function recall(query: PeakList, timeScale: number): number {
    const probes = new PostingBuffer();
    appendTripletProbes(query, semitonesOfPeaks(query, 0, query.length), 0, query.length, probes);
    const byHash = new Map<number, number[]>();
    for (let i = 0; i < probes.length; i++)
      byHash.set(probes.hash[i], [...(byHash.get(probes.hash[i]) ?? []), probes.time[i]]);
    let found = 0;
    for (let i = 0; i < refPostings.length; i++) {
      const t = refPostings.time[i] / timeScale;
      if ((byHash.get(refPostings.hash[i]) ?? []).some((q) => Math.abs(q - t) <= 1.5)) found++;
    }
    return found / refPostings.length;
  }

  it('store lf1 and span in aux', () => {
    const lf = semitonesOfBin(reference.freq[0]);
    expect(auxLf(refPostings.aux[0])).toBeCloseTo(lf, 1);
    expect(auxSpan(refPostings.aux[0])).toBeGreaterThan(0);
  });

  it('are found again when the same peaks are played 8 % fast, vinyl style (times ÷ 1.08, frequencies × 1.08)', () => {
    const q = toList(
      time.map((t) => t / 1.08),
      freq.map((f) => f * 1.08),
    );
    expect(recall(q, 1.08)).toBeGreaterThan(0.9);
  });

  it('are found again when the same peaks are played 8 % slow, vinyl style', () => {
    const q = toList(
      time.map((t) => t / 0.92),
      freq.map((f) => f * 0.92),
    );
    expect(recall(q, 0.92)).toBeGreaterThan(0.9);
  });

  it('are found again after a key-locked 6 % time-stretch (times only)', () => {
    for (const k of [1.06, 0.94])
      expect(
        recall(
          toList(
            time.map((t) => t / k),
            freq,
          ),
          k,
        ),
      ).toBeGreaterThan(0.9);
  });
});
