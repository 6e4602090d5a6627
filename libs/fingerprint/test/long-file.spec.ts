import { fingerprintPcm } from '../src/fingerprint';
import { identifyExcerpt } from '../src/identify';
import { indexTrack } from '../src/indexing';
import { FINGERPRINT_SAMPLE_RATE, FRAME_SEC } from '../src/params';
import { MemoryFingerprintIndex } from '../src/store/memory-index';
import { renderSynth, synthChunks } from './support/synth';

const SR = FINGERPRINT_SAMPLE_RATE;
const LONG_SEC = 4 * 3600 + 5 * 60; // 4 h 05 min
const LONG_SEED = 4242;

/** Vinyl-style speed change of synthetic PCM (linear-interpolation resampling: pitch and tempo together). */
function resample(pcm: Float32Array, speed: number): Float32Array {
  const out = new Float32Array(Math.floor(pcm.length / speed));
  for (let i = 0; i < out.length; i++) {
    const x = i * speed;
    const j = Math.floor(x);
    const f = x - j;
    out[i] = pcm[j] * (1 - f) + (j + 1 < pcm.length ? pcm[j + 1] : 0) * f;
  }
  return out;
}

describe('a recording longer than four hours', () => {
  const index = new MemoryFingerprintIndex();
  let lastFrame: number | null = null;

  beforeAll(async () => {
    // Streamed from a generator, 10 s at a time: the 4-hour PCM (460 MB as floats) never exists at once.
    const fp = await fingerprintPcm(synthChunks(LONG_SEED, LONG_SEC, 10));
    const result = await indexTrack(index, 2_000_000_001, fp);
    expect(result.durationSec).toBeCloseTo(LONG_SEC, 0);
    lastFrame = (await index.readBack('triplet', 2_000_000_001)).lastFrame;
    // A decoy of the same synthetic style.
    await indexTrack(index, 7, await fingerprintPcm(synthChunks(7, 600, 10)));
  }, 120_000);

  it('stores postings up to its very end (no time horizon)', () => {
    expect(lastFrame! * FRAME_SEC).toBeGreaterThan(LONG_SEC - 5);
  });

  it('finds a 20-second excerpt from 3 h 58 min (its last ten minutes) at the right position', async () => {
    const fromSec = 3 * 3600 + 58 * 60;
    const excerpt = renderSynth(LONG_SEED, fromSec * SR, (fromSec + 20) * SR);
    const [best, ...rest] = await identifyExcerpt(index, excerpt);
    expect(best.trackId).toBe(2_000_000_001);
    expect(Math.abs(best.refOffsetSec - best.queryOffsetSec - fromSec)).toBeLessThan(0.5);
    expect(rest.filter((m) => m.confidence >= 0.5)).toEqual([]);
  });

  it('finds it 5 % fast, vinyl style, too', async () => {
    const fromSec = 4 * 3600 + 2 * 60;
    const excerpt = resample(renderSynth(LONG_SEED, fromSec * SR, (fromSec + 21) * SR), 1.05);
    const [best] = await identifyExcerpt(index, excerpt);
    expect(best.trackId).toBe(2_000_000_001);
    expect(best.speed).toBeCloseTo(1.05, 2);
    expect(Math.abs(best.refOffsetSec - best.speed * best.queryOffsetSec - fromSec)).toBeLessThan(0.5);
  });
});
