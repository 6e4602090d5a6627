import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UndecodableAudioError, decodeMono, decodeMonoToArray, probeAudio } from './index';

describe('decodeMono', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-audio-'));
    // 3 s stereo: 440 Hz left, silence right -> mono mix is 0.5 * sine.
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=3',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=44100:cl=mono',
      '-filter_complex',
      '[0][1]amerge=inputs=2[a]',
      '-map',
      '[a]',
      '-t',
      '3',
      '-c:a',
      'flac',
      path.join(dir, 'tone.flac'),
    ]);
    writeFileSync(path.join(dir, 'junk.mp3'), Buffer.from('this is not audio at all'.repeat(100)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('probes stream facts', async () => {
    const p = await probeAudio(path.join(dir, 'tone.flac'));
    expect(p).toMatchObject({ sampleRate: 44100, channels: 2, codec: 'flac' });
    expect(p.durationSec).toBeCloseTo(3, 1);
  });

  it('streams mono chunks at the requested rate with the 0.5 L + 0.5 R mix', async () => {
    const chunks: number[] = [];
    let peak = 0;
    for await (const c of decodeMono(path.join(dir, 'tone.flac'), { sampleRate: 11025, chunkSamples: 4096 })) {
      chunks.push(c.length);
      for (const v of c) peak = Math.max(peak, Math.abs(v));
    }
    expect(chunks.slice(0, -1).every((n) => n === 4096)).toBe(true);
    expect(chunks.reduce((a, b) => a + b, 0)).toBeCloseTo(3 * 11025, -2);
    // ffmpeg's sine source has amplitude 1/8; half of it reaches the mono mix.
    expect(peak).toBeGreaterThan(0.0625 * 0.9);
    expect(peak).toBeLessThan(0.0625 * 1.1);
  });

  it('decodes a window of the file', async () => {
    const pcm = await decodeMonoToArray(path.join(dir, 'tone.flac'), { sampleRate: 8000, startSec: 1, durationSec: 1 });
    expect(pcm.length).toBeGreaterThan(7900);
    expect(pcm.length).toBeLessThan(8100);
  });

  it('hands 16-bit PCM over as floats that differ from the 32-bit decode by at most one step', async () => {
    const file = path.join(dir, 'tone.flac');
    const f32 = await decodeMonoToArray(file, { sampleRate: 8000 });
    // Odd chunk sizes: a chunk boundary falls inside a pipe read, and the last chunk is short.
    const chunks: Float32Array[] = [];
    for await (const c of decodeMono(file, { sampleRate: 8000, pcmFormat: 's16', chunkSamples: 999 })) chunks.push(c);
    expect(chunks.slice(0, -1).every((c) => c.length === 999)).toBe(true);
    const s16 = Float32Array.from(chunks.flatMap((c) => Array.from(c)));
    expect(s16.length).toBe(f32.length);
    let worst = 0;
    for (let i = 0; i < f32.length; i++) {
      worst = Math.max(worst, Math.abs(s16[i] - f32[i]));
      // Every value is a whole number of 16-bit steps.
      expect(Number.isInteger(s16[i] * 32768)).toBe(true);
    }
    expect(worst).toBeLessThanOrEqual(1 / 32768);
  });

  it('resamples with fewer taps when asked, to the same length and nearly the same samples', async () => {
    const file = path.join(dir, 'tone.flac');
    const wide = await decodeMonoToArray(file, { sampleRate: 8000 });
    const short = await decodeMonoToArray(file, { sampleRate: 8000, resamplerTaps: 16 });
    expect(short.length).toBe(wide.length);
    let diff = 0;
    let energy = 0;
    for (let i = 0; i < wide.length; i++) {
      diff += (short[i] - wide[i]) ** 2;
      energy += wide[i] ** 2;
    }
    // A 440 Hz tone lies far from the band edge: the two resamplers agree to better than -60 dB.
    expect(diff / energy).toBeLessThan(1e-6);
    expect(diff).toBeGreaterThan(0); // and the option did reach ffmpeg
    await expect(decodeMonoToArray(file, { sampleRate: 8000, resamplerTaps: 0 })).rejects.toThrow(/resamplerTaps/);
  });

  it('rejects a file that is not audio with a readable reason', async () => {
    await expect(decodeMonoToArray(path.join(dir, 'junk.mp3'), { sampleRate: 8000 })).rejects.toBeInstanceOf(
      UndecodableAudioError,
    );
  });

  it('rejects a missing file', async () => {
    await expect(probeAudio(path.join(dir, 'nope.flac'))).rejects.toThrow(/No such file/);
  });
});
