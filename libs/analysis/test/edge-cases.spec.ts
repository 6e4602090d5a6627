/**
 * Files that must not produce invented values or crash the caller: silence, near silence, a 2-second file,
 * format variants (mono, 8-bit, 96 kHz, lossy codecs), undecodable and missing files, time limits and
 * cancellation, and tags that disagree with the measurement.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AnalysisError, EssentiaPool, analyzeFile } from '../src';
import { generateSignals } from './generate';

jest.setTimeout(60_000);

describe('edge cases', () => {
  let dir: string;
  const pool = new EssentiaPool();
  const f = (name: string) => path.join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-edge-'));
    generateSignals(dir, [
      { file: f('silence.wav'), parts: [{ kind: 'silence', seconds: 20 }] },
      { file: f('hiss.wav'), parts: [{ kind: 'noise', seconds: 20, dbfs: -75 }] },
      {
        file: f('two-seconds.wav'),
        parts: [{ kind: 'drums', bpm: 128, seconds: 2, style: 'four', harmony: { tonic: 9, scale: 'minor' } }],
      },
      {
        file: f('base.wav'),
        parts: [
          { kind: 'drums', bpm: 128, seconds: 20, style: 'four', seed: 5, harmony: { tonic: 9, scale: 'minor' } },
        ],
      },
      {
        file: f('gap.wav'),
        parts: [
          { kind: 'drums', bpm: 124, seconds: 30, style: 'four', seed: 1, harmony: { tonic: 9, scale: 'minor' } },
          { kind: 'silence', seconds: 30 },
          { kind: 'drums', bpm: 124, seconds: 30, style: 'four', seed: 2, harmony: { tonic: 9, scale: 'minor' } },
        ],
      },
    ]);
    const variants: [string, string[]][] = [
      ['mono.wav', ['-ac', '1']],
      ['u8.wav', ['-c:a', 'pcm_u8']],
      ['hires-96k.flac', ['-ar', '96000', '-c:a', 'flac', '-sample_fmt', 's32']],
      ['lossy.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']],
      ['lossy.ogg', ['-c:a', 'libvorbis', '-q:a', '3']],
      ['lossy.m4a', ['-c:a', 'aac', '-b:a', '128k']],
    ];
    for (const [name, args] of variants)
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', f('base.wav'), ...args, f(name)]);
    writeFileSync(f('junk.mp3'), Buffer.from('ID3 but then nothing that decodes '.repeat(200)));
    writeFileSync(f('empty.flac'), Buffer.alloc(0));
  });
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports silence as not measurable with a reason (never 738 BPM / A minor)', async () => {
    const results = new Map<string, Awaited<ReturnType<typeof analyzeFile>>>();
    for (const name of ['silence.wav', 'hiss.wav']) {
      const r = await analyzeFile(f(name), { pool });
      results.set(name, r);
      expect(r.silent).toBe(true);
      for (const field of [r.bpm, r.beats, r.key, r.danceability, r.energy, r.outline]) {
        expect(field).toMatchObject({
          measurable: false,
          reason: expect.stringMatching(/silent: the RMS level is below -60 dBFS/),
        });
      }
      expect(JSON.stringify(r)).not.toMatch(/738|A minor/);
    }
    // Digital silence has no loudness at all; hiss at −75 dBFS may still be measured (a real, very low value).
    expect(results.get('silence.wav')!.loudness).toMatchObject({ measurable: false });
    const hiss = results.get('hiss.wav')!.loudness;
    if (hiss.measurable) expect(hiss.integratedLufs).toBeLessThan(-60);
  });

  it('keeps silent stretches out of a file that has music around them', async () => {
    const r = await analyzeFile(f('gap.wav'), { pool });
    if (!r.bpm.measurable) throw new Error(r.bpm.reason);
    expect(r.bpm.bpm).toBeCloseTo(124, 0);
    expect(r.timeline.map((w) => w.silent)).toEqual([false, true, false]);
    expect(r.timeline[1]).toMatchObject({ bpm: null, key: null });
    expect(r.key).toMatchObject({ measurable: true, name: 'A minor' });
  });

  it('measures what it can of a 2-second file and says why the rest is missing', async () => {
    const r = await analyzeFile(f('two-seconds.wav'), { pool });
    expect(r.silent).toBe(false);
    expect(r.bpm).toMatchObject({ measurable: false, reason: expect.stringMatching(/too short/) });
    expect(r.danceability).toMatchObject({ measurable: false });
    expect(r.outline).toMatchObject({ measurable: false, reason: expect.stringMatching(/too short/) });
    expect(r.loudness.measurable).toBe(true);
    expect(r.energy.measurable).toBe(true);
  });

  it.each(['base.wav', 'mono.wav', 'u8.wav', 'hires-96k.flac', 'lossy.mp3', 'lossy.ogg', 'lossy.m4a'])(
    'gives the same answers for the %s variant',
    async (name) => {
      const r = await analyzeFile(f(name), { pool });
      if (!r.bpm.measurable || !r.key.measurable || !r.loudness.measurable) throw new Error(JSON.stringify(r.warnings));
      expect(Math.abs(r.bpm.bpm - 128)).toBeLessThan(0.3);
      expect(r.key.camelot).toBe('8A');
      expect(r.file.durationSec).toBeCloseTo(20, 0);
      expect(r.loudness.integratedLufs).toBeGreaterThan(-20);
      expect(r.loudness.integratedLufs).toBeLessThan(-5);
    },
  );

  it('rejects undecodable, empty and missing files with a readable reason', async () => {
    await expect(analyzeFile(f('junk.mp3'), { pool })).rejects.toMatchObject({
      name: 'AnalysisError',
      code: 'undecodable',
      message: expect.stringMatching(/not decodable audio: .+/),
    });
    await expect(analyzeFile(f('empty.flac'), { pool })).rejects.toMatchObject({ code: 'undecodable' });
    await expect(analyzeFile(f('nope.flac'), { pool })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/ENOENT/),
    });
  });

  it('stops at the time limit and on cancellation, leaving the pool usable', async () => {
    const t = Date.now();
    await expect(analyzeFile(f('base.wav'), { pool, timeoutMs: 30 })).rejects.toMatchObject({ code: 'timeout' });
    const ac = new AbortController();
    const running = analyzeFile(f('base.wav'), { pool, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(running).rejects.toBeInstanceOf(AnalysisError);
    await expect(running).rejects.toMatchObject({ code: 'aborted' });
    expect(Date.now() - t).toBeLessThan(10_000);
    const after = await analyzeFile(f('base.wav'), { pool, loudness: false });
    expect(after.bpm.measurable).toBe(true);
  });

  it('keeps tags beside the measurement and flags disagreement', async () => {
    const r = await analyzeFile(f('base.wav'), { pool, tags: { bpm: '140', key: 'F#m' }, loudness: false });
    expect(r.tags).toMatchObject({
      disagreement: true,
      bpm: { tag: 140, verdict: 'disagree' },
      key: { tag: 'F#m', tagCamelot: '11A', measuredCamelot: '8A', verdict: 'disagree' },
    });
    const agree = await analyzeFile(f('base.wav'), { pool, tags: { bpm: 64, key: 'Am' }, loudness: false });
    expect(agree.tags).toMatchObject({ disagreement: false, bpm: { verdict: 'octave' }, key: { verdict: 'match' } });
  });

  it('returns plain JSON and reports progress', async () => {
    const progress: number[] = [];
    const r = await analyzeFile(f('gap.wav'), { pool, onProgress: (p) => progress.push(p.fraction ?? -1) });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(progress.length).toBe(3);
    expect(progress[progress.length - 1]).toBeCloseTo(1, 2);
  });
});
