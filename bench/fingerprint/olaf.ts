/**
 * Olaf side by side (issue 14): when OLAF_CORE points to an `olaf_core` binary built by hand from Olaf's
 * public source (github.com/JorenSix/Olaf, `make compile_core`; nothing of it is in this repository), the
 * benches run it on the same audio and print ratios. Olaf reads raw 32-bit float mono PCM at 16 kHz and keeps
 * its LMDB index in $HOME/.olaf/db, so every run gets its own HOME in a scratch directory; decoding (ffmpeg,
 * as Olaf's own wrapper does) is timed with it, as ours is.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface OlafMatch {
  matchCount: number;
  queryStartSec: number;
  queryStopSec: number;
  refId: number;
  refStartSec: number;
}

export class Olaf {
  private readonly home: string;
  private raws = 0;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
  ) {
    this.home = path.join(dir, 'home');
    mkdirSync(path.join(this.home, '.olaf', 'db'), { recursive: true });
  }

  /** The runner of OLAF_CORE, or null when it is not set. */
  static fromEnv(workDir: string): Olaf | null {
    const binary = process.env.OLAF_CORE;
    if (!binary) return null;
    statSync(binary); // a clear error when the path is wrong
    return new Olaf(binary, path.join(workDir, 'olaf'));
  }

  /** Decodes a file with ffmpeg into Olaf's input format; returns the raw path. */
  decode(file: string): string {
    const raw = path.join(this.dir, `in-${this.raws++}.raw`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, '-ac', '1', '-ar', '16000', '-f', 'f32le', raw]);
    return raw;
  }

  /** Writes 8 kHz mono PCM (generated audio) as a WAV file for decode(). */
  writeWav(pcm: Float32Array, sampleRate: number): string {
    const file = path.join(this.dir, `pcm-${this.raws++}.wav`);
    const header = Buffer.alloc(44);
    const bytes = pcm.length * 4;
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + bytes, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(3, 20); // IEEE float
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(sampleRate, 24);
    header.writeUInt32LE(sampleRate * 4, 28);
    header.writeUInt16LE(4, 32);
    header.writeUInt16LE(32, 34);
    header.write('data', 36);
    header.writeUInt32LE(bytes, 40);
    writeFileSync(file, Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, bytes)]));
    return file;
  }

  private run(args: string[]): string {
    const res = spawnSync(this.binary, args, {
      env: { ...process.env, HOME: this.home },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (res.status !== 0) throw new Error(`olaf_core ${args[0]} failed (${res.status}): ${res.stderr.slice(-500)}`);
    return res.stdout;
  }

  /** Stores decoded files under the given names. */
  store(items: { raw: string; name: string }[]): void {
    for (let i = 0; i < items.length; i += 50) {
      this.run(['store', ...items.slice(i, i + 50).flatMap((it) => [it.raw, it.name])]);
    }
  }

  query(raw: string, name: string): OlafMatch[] {
    const out: OlafMatch[] = [];
    for (const line of this.run(['query', raw, name]).split('\n')) {
      const f = line.split(',').map((s) => s.trim());
      if (f.length < 7 || !/^\d+$/.test(f[0])) continue;
      out.push({
        matchCount: Number(f[0]),
        queryStartSec: Number(f[1]),
        queryStopSec: Number(f[2]),
        refId: Number(f[4]),
        refStartSec: Number(f[5]),
      });
    }
    return out;
  }

  /** Olaf's numeric id of a stored name (what query results carry). */
  idOf(name: string): number {
    return Number(this.run(['name_to_id', name]).trim());
  }

  /** Bytes its LMDB index occupies on disk (allocated blocks: the map file is sparse). */
  storageBytes(): number {
    const db = path.join(this.home, '.olaf', 'db');
    let total = 0;
    for (const f of readdirSync(db)) total += statSync(path.join(db, f)).blocks * 512;
    return total;
  }
}
