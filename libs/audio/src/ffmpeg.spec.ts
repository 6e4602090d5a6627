import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundledFfmpeg, ffmpegCandidates } from './ffmpeg';

describe('finding ffmpeg', () => {
  it('prefers the configured, then the system ffmpeg, and falls back to the copy npm installed', () => {
    const c = ffmpegCandidates({ FFMPEG_PATH: '/opt/ff/ffmpeg', FFPROBE_PATH: '/opt/ff/ffprobe' });
    const bundled = bundledFfmpeg();
    expect(c.ffmpeg).toEqual(['/opt/ff/ffmpeg', 'ffmpeg', '/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', bundled.ffmpeg]);
    expect(c.ffprobe).toEqual([
      '/opt/ff/ffprobe',
      'ffprobe',
      '/usr/bin/ffprobe',
      '/usr/local/bin/ffprobe',
      bundled.ffprobe,
    ]);
  });

  it('decodes AAC with the programs npm installed alone (a machine without ffmpeg)', async () => {
    const { ffmpeg, ffprobe } = bundledFfmpeg();
    expect(ffmpeg).toBeDefined();
    expect(ffprobe).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'cf-bundled-'));
    try {
      const m4a = path.join(dir, 'tone.m4a');
      execFileSync(ffmpeg!, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-c:a', 'aac', m4a]);
      // A fresh process that may only use the bundled programs: decode and count the samples.
      const script = `
        const { decodeMonoToArray, findFfmpeg } = require('./libs/audio/src');
        decodeMonoToArray(process.argv[1], { sampleRate: 8000 }).then((pcm) => {
          console.log(JSON.stringify({ samples: pcm.length, used: findFfmpeg() }));
        }, (e) => { console.error(e); process.exit(1); });`;
      const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script, m4a], {
        cwd: path.join(__dirname, '..', '..', '..'),
        env: { ...process.env, FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe },
        encoding: 'utf8',
      });
      const result = JSON.parse(out.trim().split('\n').pop()!) as { samples: number; used: { ffmpeg: string } };
      expect(result.used.ffmpeg).toBe(ffmpeg);
      expect(Math.abs(result.samples - 3 * 8000)).toBeLessThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
