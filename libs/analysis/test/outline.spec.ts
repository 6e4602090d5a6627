/** Intro, breakdown, drop and outro of an arranged track, and the energy rating of contrasting material. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EssentiaPool, analyzeFile } from '../src';
import { generateSignals } from './generate';

jest.setTimeout(60_000);

const BPM = 126;
const BAR = (4 * 60) / BPM;
const BARS = { intro: 8, body: 16, breakdown: 8, drop: 16, outro: 8 };

describe('outline and energy', () => {
  let dir: string;
  const pool = new EssentiaPool();
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-outline-'));
    generateSignals(dir, [
      { file: path.join(dir, 'arranged.wav'), arranged: { bpm: BPM, tonic: 9, scale: 'minor', bars: BARS } },
      {
        file: path.join(dir, 'pad.wav'),
        parts: [{ kind: 'chords', tonic: 0, scale: 'major', seconds: 40, gain: 0.03 }],
      },
    ]);
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the cues on the bars where the arrangement changes', async () => {
    const r = await analyzeFile(path.join(dir, 'arranged.wav'), { pool });
    if (!r.outline.measurable) throw new Error(r.outline.reason);
    const at = (bars: number) => bars * BAR;
    const expected = {
      'intro-end': at(BARS.intro),
      breakdown: at(BARS.intro + BARS.body),
      drop: at(BARS.intro + BARS.body + BARS.breakdown),
      'outro-start': at(BARS.intro + BARS.body + BARS.breakdown + BARS.drop),
    };
    expect(r.outline.cues.map((c) => c.kind)).toEqual(Object.keys(expected));
    for (const cue of r.outline.cues) expect(Math.abs(cue.timeSec - expected[cue.kind])).toBeLessThan(BAR / 2);
    expect(r.outline.sections.map((s) => s.kind)).toEqual(['intro', 'body', 'breakdown', 'body', 'outro']);
  });

  it('rates a quiet pad far below a club arrangement', async () => {
    const club = await analyzeFile(path.join(dir, 'arranged.wav'), { pool, loudness: true });
    const pad = await analyzeFile(path.join(dir, 'pad.wav'), { pool });
    if (!club.energy.measurable || !pad.energy.measurable) throw new Error('no energy');
    expect(pad.energy.rating).toBeLessThanOrEqual(3);
    expect(club.energy.rating).toBeGreaterThanOrEqual(7);
    expect(pad.bpm.measurable).toBe(false);
  });
});
