import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeMono } from '@crateflow/audio';
import { measureLoudness, parseEbur128Summary } from './loudness';

describe('EBU R128 loudness through ffmpeg', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-loudness-'));
    // 1 kHz sine at −20 dBFS in both channels: −20 LUFS by the standard's calibration (−3.01 LUFS per 0 dBFS channel).
    const amp = Math.pow(10, -20 / 20);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=${amp}*sin(2*PI*1000*t)|${amp}*sin(2*PI*1000*t):s=48000:d=12`,
      path.join(dir, 'sine.flac'),
    ]);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=44100:cl=stereo',
      '-t',
      '5',
      path.join(dir, 'silence.wav'),
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures a calibrated sine at its level', async () => {
    const l = await measureLoudness(path.join(dir, 'sine.flac'));
    expect(l.integratedLufs).toBeCloseTo(-20, 0);
    expect(l.rangeLu).toBeLessThan(1);
    expect(l.samplePeakDbfs).toBeCloseTo(-20, 0);
  });

  it('measures the same in the decoding run itself (one read of the file) as in a pass of its own', async () => {
    let log = '';
    let samples = 0;
    const file = path.join(dir, 'sine.flac');
    for await (const chunk of decodeMono(file, { sampleRate: 44100, ebur128: { onSummary: (t) => (log = t) } }))
      samples += chunk.length;
    expect(samples).toBe(12 * 44100); // the PCM is unchanged by the measurement beside it
    expect(parseEbur128Summary(log)).toEqual(await measureLoudness(file));
    await expect(
      (async () => {
        for await (const c of decodeMono(file, { sampleRate: 8000, startSec: 2, ebur128: { onSummary: () => 0 } }))
          void c;
      })(),
    ).rejects.toThrow(/whole files only/);
  });

  it('reports silence as unmeasured, not as −70 LUFS', async () => {
    const l = await measureLoudness(path.join(dir, 'silence.wav'));
    expect(l.integratedLufs).toBeNull();
    expect(l.rangeLu).toBeNull();
  });

  it('can be aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(measureLoudness(path.join(dir, 'sine.flac'), { signal: ac.signal })).rejects.toThrow(/aborted/);
  });

  it('parses the summary block', () => {
    const text = `[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -14.0 LUFS\n    Threshold: -24.1 LUFS\n\n  Loudness range:\n    LRA:         2.9 LU\n    Threshold: -34.1 LUFS\n\n  Sample peak:\n    Peak:       -0.3 dBFS\n`;
    expect(parseEbur128Summary(text)).toEqual({ integratedLufs: -14, rangeLu: 2.9, samplePeakDbfs: -0.3 });
    expect(() => parseEbur128Summary('nothing')).toThrow(/no ebur128 summary/);
  });
});
