/** Key on chord progressions synthesised with harmonics, in six keys, major and minor. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EssentiaPool, analyzeFile, keyNames } from '../src';
import { generateSignals } from './generate';
import type { SignalPart } from './write-signals';
import { PITCH_NAMES } from './synth';

jest.setTimeout(60_000);

const TONICS = [0, 2, 4, 6, 7, 10]; // C, D, E, F#, G, Bb
const CASES = TONICS.flatMap((tonic, i) =>
  (['major', 'minor'] as const).map((scale) => ({
    tonic,
    scale,
    variant: i % 2,
    drums: i % 3 === 0,
    detuneCents: i === 4 ? 20 : 0,
  })),
);

describe('key on generated chord progressions', () => {
  let dir: string;
  const pool = new EssentiaPool();
  const fileOf = (c: (typeof CASES)[number]) => path.join(dir, `${PITCH_NAMES[c.tonic]}-${c.scale}.wav`);
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-key-'));
    generateSignals(
      dir,
      CASES.map((c) => {
        const chords: SignalPart = {
          kind: 'chords',
          tonic: c.tonic,
          scale: c.scale,
          seconds: 12,
          variant: c.variant,
          detuneCents: c.detuneCents,
        };
        return {
          file: fileOf(c),
          parts: [c.drums ? [chords, { kind: 'drums', bpm: 124, seconds: 12, style: 'four', gain: 0.5 }] : chords],
        };
      }),
    );
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(
    CASES.map(
      (c) =>
        [
          `${PITCH_NAMES[c.tonic]} ${c.scale}${c.drums ? ' over drums' : ''}${c.detuneCents ? ' detuned 20 cents' : ''}`,
          c,
        ] as const,
    ),
  )('%s', async (_name, c) => {
    const r = await analyzeFile(fileOf(c), { pool, loudness: false });
    if (!r.key.measurable) throw new Error(r.key.reason);
    const expected = keyNames(c.tonic, c.scale);
    expect(r.key).toMatchObject({
      name: expected.name,
      camelot: expected.camelot,
      openKey: expected.openKey,
      scale: c.scale,
    });
    expect(r.key.strength).toBeGreaterThan(0.5);
    expect(r.key.agreement).toBe(1);
  });
});
