import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A temporary folder of short generated audio files (ffmpeg) and bad files, removed by `remove()`. */
export class AudioFixtures {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'crateflow-analysis-'));

  /** A click track: 10 ms bursts of a 1 kHz tone on every beat, over a quiet 110 Hz hum. */
  clicks(name: string, bpm: number, seconds = 12): string {
    const beat = 60 / bpm;
    const expr = `if(lt(mod(t\\,${beat})\\,0.01)\\,0.9*sin(2*PI*1000*t)\\,0)+0.05*sin(2*PI*110*t)`;
    return this.ffmpeg(name, ['-f', 'lavfi', '-i', `aevalsrc=${expr}:s=44100:d=${seconds}`]);
  }

  /** A chord held for its duration: A minor (A3, C4, E4). */
  aMinorChord(name: string, seconds = 10): string {
    const expr = '0.3*sin(2*PI*220*t)+0.3*sin(2*PI*261.63*t)+0.3*sin(2*PI*329.63*t)';
    return this.ffmpeg(name, ['-f', 'lavfi', '-i', `aevalsrc=${expr}:s=44100:d=${seconds}`]);
  }

  /** Random bytes under an audio name: what no decoder can read. */
  garbage(name: string, bytes = 64 * 1024): string {
    return this.write(name, randomBytes(bytes));
  }

  write(name: string, content: string | Buffer): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ffmpeg(name: string, input: string[]): string {
    const out = path.join(this.dir, name);
    execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...input, out]);
    return out;
  }
}
