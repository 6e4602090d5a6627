import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'libs', 'fingerprint', 'test', 'fixtures');

/** Real recordings (CC licensed, see libs/fingerprint/test/fixtures/NOTICE.md). */
export const RECORDINGS = {
  fishin: path.join(FIXTURES, 'Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg'),
  sugarPlum: path.join(FIXTURES, 'Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg'),
  vibeAce: path.join(FIXTURES, 'Kevin_MacLeod_-_Vibe_Ace.hq.ogg'),
  /** Never indexed: music outside the library. */
  hungarianDance: path.join(FIXTURES, 'Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg'),
} as const;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A temporary folder of audio files made from the recordings with Debian's ffmpeg. */
export class FingerprintAudioFiles {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cf-fp-'));

  path(name: string): string {
    return path.join(this.dir, name);
  }

  copy(source: string, name: string): string {
    copyFileSync(source, this.path(name));
    return this.path(name);
  }

  /** Another encoding of a recording (the codec follows the extension: .mp3 128k, .flac, .m4a AAC, .ogg). */
  encode(source: string, name: string): string {
    const codec: Record<string, string[]> = {
      '.mp3': ['-c:a', 'libmp3lame', '-b:a', '128k'],
      '.flac': ['-c:a', 'flac'],
      '.m4a': ['-c:a', 'aac', '-b:a', '160k'],
      '.ogg': ['-c:a', 'libvorbis', '-q:a', '3'],
    };
    ffmpeg(['-i', source, ...(codec[path.extname(name)] ?? []), '-map_metadata', '-1', this.path(name)]);
    return this.path(name);
  }

  /**
   * A two-track DJ mix: `a` from aFromSec for lengthSec, crossfaded over fadeSec into `b` played `speed` times
   * fast vinyl-style (tempo and pitch together) from bFromSec. Returns where b becomes dominant (the middle of
   * the crossfade), in mix seconds.
   */
  mix(
    name: string,
    a: { file: string; fromSec: number; lengthSec: number },
    b: { file: string; fromSec: number; lengthSec: number; speed: number },
    fadeSec: number,
  ): { path: string; bStartSec: number } {
    ffmpeg([
      '-ss',
      String(a.fromSec),
      '-t',
      String(a.lengthSec),
      '-i',
      a.file,
      '-ss',
      String(b.fromSec),
      '-t',
      String(b.lengthSec * b.speed),
      '-i',
      b.file,
      '-filter_complex',
      `[0]aresample=44100,aformat=channel_layouts=stereo[a];[1]asetrate=44100*${b.speed},aresample=44100,aformat=channel_layouts=stereo[b];[a][b]acrossfade=d=${fadeSec}:c1=tri:c2=tri`,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '192k',
      this.path(name),
    ]);
    return { path: this.path(name), bStartSec: a.lengthSec - fadeSec / 2 };
  }

  write(name: string, content: string | Buffer): string {
    writeFileSync(this.path(name), content);
    return this.path(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
