import { decodeMonoToArray } from '@crateflow/audio';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeForFingerprint } from '../src/fingerprint';
import { identifyExcerpt } from '../src/identify';
import { FINGERPRINT_SAMPLE_RATE } from '../src/params';
import { FingerprintIndex } from '../src/store/fingerprint-index';
import { LIBRARY, OUTSIDE_LIBRARY } from './support/fixtures';
import { indexLibrary } from './support/library';
import { renderSegment, speedOf, Variant, variantName } from './support/mixes';
import { renderSynth } from './support/synth';

const VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'mp3' },
  { kind: 'noise', snrDb: 10 },
  { kind: 'bass' },
  { kind: 'vinyl', speed: 1.08 },
  { kind: 'vinyl', speed: 0.92 },
  { kind: 'vinyl', speed: 1.03 },
  { kind: 'tempo', speed: 1.06 },
  { kind: 'tempo', speed: 0.94 },
  { kind: 'tempo', speed: 0.98 },
];

describe('identifyExcerpt', () => {
  let index: FingerprintIndex;
  let work: string;
  beforeAll(async () => {
    index = await indexLibrary();
    work = mkdtempSync(path.join(tmpdir(), 'cf-fp-excerpt-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const cases = LIBRARY.flatMap((track, t) =>
    VARIANTS.map((variant, v) => ({
      track,
      variant,
      startSec: 7 + ((t * 11 + v * 5) % Math.floor(track.durationSec - 30)),
    })),
  );

  it.each(cases.map((c) => [c.track.title, variantName(c.variant), c] as const))(
    '%s, %s: 12 s excerpt → right track, position and speed',
    async (_t, _v, c) => {
      const pcm = await renderSegment(
        {
          trackId: c.track.id,
          source: { file: c.track.file },
          refStartSec: c.startSec,
          lengthSec: 12,
          variant: c.variant,
        },
        work,
      );
      const matches = await identifyExcerpt(index, pcm);
      expect(matches.length).toBeGreaterThan(0);
      const best = matches[0];
      expect(best.trackId).toBe(c.track.id);
      expect(best.confidence).toBeGreaterThanOrEqual(0.5);
      const speed = speedOf(c.variant);
      expect(Math.abs(best.speed - speed)).toBeLessThan(0.01);
      // Track position where the excerpt begins, from the reported alignment.
      const refAtExcerptStart = best.refOffsetSec - best.speed * best.queryOffsetSec;
      expect(Math.abs(refAtExcerptStart - c.startSec)).toBeLessThan(0.5);
      // Nothing else is claimed with confidence.
      expect(matches.filter((m) => m.trackId !== c.track.id && m.confidence >= 0.5)).toEqual([]);
    },
  );

  it('reads an excerpt streamed from a file', async () => {
    const matches = await identifyExcerpt(
      index,
      decodeForFingerprint(LIBRARY[1].file, { startSec: 50, durationSec: 8 }),
    );
    expect(matches[0]).toMatchObject({ trackId: LIBRARY[1].id });
    expect(Math.abs(matches[0].refOffsetSec - matches[0].queryOffsetSec - 50)).toBeLessThan(0.5);
  });

  it('finds nothing in music outside the library, in synthetic music or in noise', async () => {
    const outside = await decodeMonoToArray(OUTSIDE_LIBRARY, { sampleRate: FINGERPRINT_SAMPLE_RATE });
    for (let s = 0; s + 15 <= 46; s += 10) {
      expect(
        await identifyExcerpt(index, outside.subarray(s * FINGERPRINT_SAMPLE_RATE, (s + 15) * FINGERPRINT_SAMPLE_RATE)),
      ).toEqual([]);
    }
    expect(await identifyExcerpt(index, renderSynth(99, 0, 30 * FINGERPRINT_SAMPLE_RATE))).toEqual([]);
    const noise = new Float32Array(20 * FINGERPRINT_SAMPLE_RATE);
    let seed = 3;
    for (let i = 0; i < noise.length; i++)
      noise[i] = ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.3;
    expect(await identifyExcerpt(index, noise)).toEqual([]);
    expect(await identifyExcerpt(index, new Float32Array(0))).toEqual([]);
  });
});
