/**
 * Tempo on drum patterns synthesised with known answers, through the whole pipeline (ffmpeg decode,
 * Essentia worker thread, grid fit, octave choice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EssentiaPool, analyzeFile } from '../src';
import type { AnalysisResult } from '../src';
import { generateSignals } from './generate';
import type { DrumStyle } from './synth';

jest.setTimeout(60_000);

describe('tempo on generated drum patterns', () => {
  let dir: string;
  const pool = new EssentiaPool();
  const FOUR = [90, 100, 128, 140, 174];
  const STYLED: [DrumStyle, number][] = [
    ['hiphop', 90],
    ['breakbeat', 100],
    ['dnb', 128],
    ['hiphop', 140],
    ['breakbeat', 174],
    ['hiphop', 174],
  ];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-tempo-'));
    const file = (name: string) => path.join(dir, `${name}.wav`);
    generateSignals(dir, [
      ...FOUR.map((bpm) => ({
        file: file(`four-${bpm}`),
        parts: [
          {
            kind: 'drums' as const,
            bpm,
            seconds: 24,
            style: 'four' as const,
            offsetSec: 0.75,
            seed: bpm,
            harmony: { tonic: 2, scale: 'minor' as const },
          },
        ],
      })),
      ...STYLED.map(([style, bpm]) => ({
        file: file(`${style}-${bpm}`),
        parts: [
          { kind: 'drums' as const, bpm, seconds: 24, style, seed: 7, harmony: { tonic: 9, scale: 'minor' as const } },
        ],
      })),
      { file: file('dnb-174'), parts: [{ kind: 'drums', bpm: 174, seconds: 24, style: 'dnb', seed: 3 }] },
      { file: file('click-120'), parts: [{ kind: 'drums', bpm: 120, seconds: 20, style: 'click', offsetSec: 1.0 }] },
    ]);
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const analyse = (name: string) => analyzeFile(path.join(dir, `${name}.wav`), { pool, loudness: false });
  const bpmOf = (r: AnalysisResult) => {
    if (!r.bpm.measurable) throw new Error(`no tempo: ${r.bpm.reason}`);
    return r.bpm;
  };

  it.each(FOUR)('four-on-the-floor at %d BPM: exact tempo, steady grid, first beat', async (bpm) => {
    const r = await analyse(`four-${bpm}`);
    const m = bpmOf(r);
    // The line fit removes Essentia's quantisation (it reports e.g. 128.06 or 128.74 for an exact 128).
    expect(Math.abs(m.bpm - bpm)).toBeLessThan(0.15);
    expect(m.confidence).toBeGreaterThan(0.5);
    if (!r.beats.measurable) throw new Error(r.beats.reason);
    expect(r.beats.grid.stability).toBe('steady');
    expect(r.beats.firstBeatSec).toBeCloseTo(0.75, 1);
  });

  it.each(STYLED)('%s pattern at %d BPM', async (style, bpm) => {
    const m = bpmOf(await analyse(`${style}-${bpm}`));
    expect(Math.abs(m.bpm / bpm - 1)).toBeLessThan(0.04);
  });

  it('flags the other octave when a fast pattern could be counted at half speed (174 ↔ 87)', async () => {
    const m = bpmOf(await analyse('dnb-174'));
    const candidates = [m.bpm, m.alternative?.bpm];
    expect(candidates.some((b) => b !== undefined && Math.abs(b / 174 - 1) < 0.04)).toBe(true);
    expect(candidates.some((b) => b !== undefined && Math.abs(b / 87 - 1) < 0.04)).toBe(true);
    expect(m.octaveReason).toMatch(/onsets per beat/);
  });

  it('finds the accented beat of the bar on a metronome with an accented downbeat', async () => {
    const r = await analyse('click-120');
    if (!r.beats.measurable) throw new Error(r.beats.reason);
    // The accent is on beats at 1.0, 3.0, 5.0 … s (every 4th beat at 120 BPM).
    const bar = 2.0;
    const phase = (((r.beats.firstDownbeatSec - 1.0) % bar) + bar) % bar;
    expect(Math.min(phase, bar - phase)).toBeLessThan(0.05);
  });
});
