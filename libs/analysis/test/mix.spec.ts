/** A DJ-mix-like file: BPM and key over time, the median tempo and the key covering most time. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EssentiaPool, analyzeFile } from '../src';
import { generateSignals } from './generate';

jest.setTimeout(60_000);

describe('mix timeline', () => {
  let dir: string;
  const pool = new EssentiaPool();
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-mix-'));
    generateSignals(dir, [
      {
        file: path.join(dir, 'mix.wav'),
        parts: [
          { kind: 'drums', bpm: 124, seconds: 60, style: 'four', seed: 1, harmony: { tonic: 9, scale: 'minor' } },
          { kind: 'drums', bpm: 174, seconds: 90, style: 'hiphop', seed: 2, harmony: { tonic: 2, scale: 'minor' } },
        ],
      },
    ]);
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives BPM and key per window and a summary', async () => {
    const r = await analyzeFile(path.join(dir, 'mix.wav'), { pool, mixMinSec: 120 });
    expect(r.kind).toBe('mix');
    expect(r.timeline.map((w) => [w.startSec, w.endSec])).toEqual([
      [0, 30],
      [30, 60],
      [60, 90],
      [90, 120],
      [120, 150],
    ]);
    const tempos = r.timeline.map((w) => w.bpm);
    [124, 124, 174, 174, 174].forEach((bpm, i) => expect(Math.abs(tempos[i]! / bpm - 1)).toBeLessThan(0.04));
    expect(r.timeline.map((w) => w.key?.camelot)).toEqual(['8A', '8A', '7A', '7A', '7A']);
    expect(r.mix?.medianBpm).toBeCloseTo(174, 0);
    expect(r.mix?.bpmRange?.[0]).toBeCloseTo(124, 0);
    expect(r.mix?.dominantKey).toEqual({ name: 'D minor', camelot: '7A', openKey: '12m', coverage: 0.6 });
    expect(r.mix?.keyCoverage.map((k) => [k.camelot, k.seconds])).toEqual([
      ['7A', 90],
      ['8A', 60],
    ]);
    // The track-level BPM of a mix is the median of its windows.
    expect(r.bpm).toMatchObject({ measurable: true, method: 'median of window tempos (mix)' });
  });

  it('loses only the window whose analysis hangs, and says so', async () => {
    const flaky = new EssentiaPool({ workerScript: path.join(__dirname, 'flaky-worker.ts'), callTimeoutMs: 8000 });
    try {
      const r = await analyzeFile(path.join(dir, 'mix.wav'), { pool: flaky, mixMinSec: 120, loudness: false });
      expect(r.timeline).toHaveLength(5);
      expect(r.timeline[1]).toMatchObject({
        startSec: 30,
        endSec: 60,
        bpm: null,
        error: expect.stringMatching(/longer than 8000 ms/),
      });
      expect(r.timeline.filter((w) => w.bpm !== null)).toHaveLength(4);
      expect(r.warnings).toEqual([expect.stringMatching(/window at 30 s was not analysed/)]);
      expect(r.mix?.dominantKey?.camelot).toBe('7A');
    } finally {
      await flaky.close();
    }
  });

  it('treats the same file as a track when told so', async () => {
    const r = await analyzeFile(path.join(dir, 'mix.wav'), { pool, mix: false, loudness: false });
    expect(r.kind).toBe('track');
    expect(r.mix).toBeUndefined();
    if (!r.bpm.measurable) throw new Error(r.bpm.reason);
    // Two tempos: no single grid fits, so the grid is not called steady.
    expect(r.beats.measurable && r.beats.grid.stability).not.toBe('steady');
  });
});
