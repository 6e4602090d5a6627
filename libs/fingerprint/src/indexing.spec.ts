import { fingerprintPcm } from './fingerprint';
import { expectedHashRange, FingerprintVerificationError, indexTrack } from './indexing';
import { FINGERPRINT_SAMPLE_RATE, Strategy } from './params';
import { PostingBatch } from './postings';
import { MemoryFingerprintIndex } from './store/memory-index';
import { renderSynth } from '../test/support/synth';

/** An index that loses data the way the original project's engines did, to prove the check notices. */
class LossyIndex extends MemoryFingerprintIndex {
  constructor(private readonly fault: 'drop-half' | 'horizon' | 'nothing') {
    super();
  }
  override async replaceTrack(trackId: number, durationSec: number, postings: Record<Strategy, PostingBatch>) {
    const damaged = {} as Record<Strategy, PostingBatch>;
    for (const s of ['landmark', 'triplet'] as Strategy[]) {
      const p = postings[s];
      let keep = p.length;
      if (this.fault === 'drop-half') keep = Math.floor(p.length / 2);
      if (this.fault === 'nothing') keep = 0;
      if (this.fault === 'horizon') keep = p.time.findIndex((t) => t > 380 / 0.032);
      if (keep < 0) keep = p.length;
      damaged[s] = {
        length: keep,
        hash: p.hash.subarray(0, keep),
        time: p.time.subarray(0, keep),
        aux: p.aux.subarray(0, keep),
      };
    }
    await super.replaceTrack(trackId, durationSec, damaged);
    // Report success with the counts it was given, as the original engines did.
    return { landmark: postings.landmark.length, triplet: postings.triplet.length };
  }
}

describe('indexTrack', () => {
  const pcm = renderSynth(11, 0, FINGERPRINT_SAMPLE_RATE * 420);
  let fp: Awaited<ReturnType<typeof fingerprintPcm>>;
  beforeAll(async () => {
    fp = await fingerprintPcm(pcm);
  });

  it('stores a recording and reports the counts it read back', async () => {
    const index = new MemoryFingerprintIndex();
    const r = await indexTrack(index, 5, fp);
    expect(r.stored).toEqual(r.produced);
    expect(r.produced.landmark).toBeGreaterThan(expectedHashRange(r.audibleSec, 'landmark').min);
    expect(await index.countPostings('triplet', 5)).toBe(r.produced.triplet);
    // Indexing again replaces, never duplicates.
    await indexTrack(index, 5, fp);
    expect(await index.countPostings('landmark', 5)).toBe(r.produced.landmark);
  });

  it.each(['drop-half', 'horizon', 'nothing'] as const)(
    'fails loudly and leaves nothing behind when the store %s',
    async (fault) => {
      const index = new LossyIndex(fault);
      await expect(indexTrack(index, 9, fp)).rejects.toBeInstanceOf(FingerprintVerificationError);
      expect(await index.countPostings('landmark', 9)).toBe(0);
    },
  );

  it('rejects audio whose hash count is implausible for its length', async () => {
    const index = new MemoryFingerprintIndex();
    const silence = new Float32Array(FINGERPRINT_SAMPLE_RATE * 60);
    silence[1000] = 0.5; // a click is not music
    const quiet = await fingerprintPcm(silence);
    // Digital silence is not audible: nothing to check, nothing stored, no error.
    await expect(indexTrack(index, 1, quiet)).resolves.toMatchObject({ produced: { landmark: 0, triplet: 0 } });
    // But a full minute of "audible" audio that yields almost nothing is refused.
    await expect(indexTrack(index, 2, { ...quiet, audibleSec: 60 })).rejects.toThrow(/implausible/);
  });
});

describe('expectedHashRange', () => {
  it('scales with the audible duration and brackets what music gives', () => {
    const r = expectedHashRange(600, 'triplet');
    expect(r.min).toBeGreaterThan(0);
    expect(r.min).toBeLessThan(r.typical);
    expect(r.typical).toBeLessThan(r.max);
    expect(expectedHashRange(1200, 'triplet').typical).toBeCloseTo(2 * r.typical, -1);
    expect(() => expectedHashRange(-1, 'landmark')).toThrow(RangeError);
  });
});
