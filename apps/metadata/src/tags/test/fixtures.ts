import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Real media files for tests, written by Debian's ffmpeg or built byte by byte from the format
 * specifications where ffmpeg cannot write what a test needs (multi-value tags, ID3 chunks in WAV,
 * hostile tags). Everything goes to a temporary folder the test removes.
 */
export class FixtureDir {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'cf-tags-'));

  path(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, data: Buffer | string): string {
    writeFileSync(this.path(name), data);
    return this.path(name);
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * A 3 s stereo 440 Hz tone encoded by ffmpeg. `metadata` becomes -metadata key=value pairs;
   * `args` are output options (codec, tag version, ...); `cover` adds a 16×16 picture as cover art.
   */
  tone(
    name: string,
    options: { metadata?: Record<string, string>; args?: string[]; seconds?: number; cover?: boolean } = {},
  ): string {
    const seconds = options.seconds ?? 3;
    const input = ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`];
    const coverInput = options.cover ? ['-i', this.cover()] : [];
    const maps = options.cover ? ['-map', '0:a', '-map', '1:v', '-c:v', 'copy', '-disposition:v', 'attached_pic'] : [];
    const meta = Object.entries(options.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    ffmpeg([...input, ...coverInput, '-ac', '2', ...maps, ...(options.args ?? []), ...meta, this.path(name)]);
    return this.path(name);
  }

  /** A short video with sound: 1 s, 64×48 test picture at 25 fps, 440 Hz tone. */
  video(name: string, videoArgs: string[], audioArgs: string[], metadata: Record<string, string> = {}): string {
    const meta = Object.entries(metadata).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=25:duration=1',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=1:sample_rate=44100',
      ...videoArgs,
      ...audioArgs,
      '-shortest',
      ...meta,
      this.path(name),
    ]);
    return this.path(name);
  }

  private coverPath?: string;

  /** A 16×16 red JPEG. */
  cover(): string {
    if (!this.coverPath) {
      this.coverPath = this.path('cover-source.jpg');
      ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', this.coverPath]);
    }
    return this.coverPath;
  }
}

export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

// ------------------------------------------------------------- ID3v2.4 built in code

function syncsafe(n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/** An ID3v2.4 text frame in UTF-8; several values are separated by NUL as the standard says. */
export function id3v24TextFrame(id: string, ...values: string[]): Buffer {
  const body = Buffer.concat([Buffer.from([3]), Buffer.from(values.join('\0'), 'utf8')]);
  return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(body.length), Buffer.from([0, 0]), body]);
}

/** An ID3v2.4 TXXX frame (user-defined text). */
export function id3v24UserFrame(description: string, value: string): Buffer {
  const body = Buffer.concat([Buffer.from([3]), Buffer.from(`${description}\0${value}`, 'utf8')]);
  return Buffer.concat([Buffer.from('TXXX', 'latin1'), syncsafe(body.length), Buffer.from([0, 0]), body]);
}

export function id3v24Tag(frames: Buffer[]): Buffer {
  const body = Buffer.concat(frames);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(body.length), body]);
}

/** An ID3v2 header that claims `size` bytes, followed by that many pseudo-random bytes: a junk tag. */
export function junkId3v2Tag(size: number): Buffer {
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(size), noise(size)]);
}

/** Pseudo-random bytes (reproducible). */
export function noise(size: number, seed = 12345): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// ------------------------------------------------------------- FLAC metadata rewritten in code

interface FlacBlock {
  type: number;
  data: Buffer;
}

function flacBlocks(file: Buffer): { blocks: FlacBlock[]; audio: Buffer } {
  if (file.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC file');
  const blocks: FlacBlock[] = [];
  let pos = 4;
  for (let last = false; !last;) {
    last = (file[pos] & 0x80) !== 0;
    const type = file[pos] & 0x7f;
    const len = file.readUIntBE(pos + 1, 3);
    blocks.push({ type, data: file.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
  }
  return { blocks, audio: file.subarray(pos) };
}

function flacJoin(blocks: FlacBlock[], audio: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  blocks.forEach((b, i) => {
    const h = Buffer.alloc(4);
    h[0] = (i === blocks.length - 1 ? 0x80 : 0) | b.type;
    h.writeUIntBE(b.data.length, 1, 3);
    parts.push(h, b.data);
  });
  parts.push(audio);
  return Buffer.concat(parts);
}

/** A Vorbis comment block body: the same key may appear many times (multi-value). */
export function vorbisCommentBody(comments: [string, string][], vendor = 'crateflow tests'): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const v = Buffer.from(vendor, 'utf8');
  parts.push(u32(v.length), v, u32(comments.length));
  for (const [k, val] of comments) {
    const c = Buffer.from(`${k}=${val}`, 'utf8');
    parts.push(u32(c.length), c);
  }
  return Buffer.concat(parts);
}

/** The FLAC file with its Vorbis comments replaced (and padding and pictures kept unless asked). */
export function flacWithComments(file: Buffer, comments: [string, string][], extraBlocks: FlacBlock[] = []): Buffer {
  const { blocks, audio } = flacBlocks(file);
  const kept = blocks.filter((b) => b.type !== 4 && b.type !== 1);
  return flacJoin([...kept, { type: 4, data: vorbisCommentBody(comments) }, ...extraBlocks], audio);
}

/** A FLAC PICTURE block body (also the payload of Ogg's METADATA_BLOCK_PICTURE comment). */
export function flacPictureBody(image: Buffer, mime = 'image/jpeg'): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const m = Buffer.from(mime, 'latin1');
  const d = Buffer.from('front', 'utf8');
  return Buffer.concat([
    u32(3),
    u32(m.length),
    m,
    u32(d.length),
    d,
    u32(16),
    u32(16),
    u32(24),
    u32(0),
    u32(image.length),
    image,
  ]);
}

// ------------------------------------------------------------- RIFF chunks added in code

/** Appends a chunk to a RIFF/WAVE or FORM/AIFF file and fixes the outer size. */
export function appendChunk(file: Buffer, id: string, data: Buffer, littleEndian: boolean): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  if (littleEndian) header.writeUInt32LE(data.length, 4);
  else header.writeUInt32BE(data.length, 4);
  const pad = data.length % 2 ? Buffer.from([0]) : Buffer.alloc(0);
  const out = Buffer.concat([file, header, data, pad]);
  if (littleEndian) out.writeUInt32LE(out.length - 8, 4);
  else out.writeUInt32BE(out.length - 8, 4);
  return out;
}

/** The AIFF file with text chunks appended (NAME, AUTH, ANNO, "(c) ") with raw bytes. */
export function aiffWithTextChunks(file: Buffer, chunks: [string, Buffer][]): Buffer {
  let out: Buffer = Buffer.from(file);
  for (const [id, bytes] of chunks) out = appendChunk(out, id, bytes, false);
  return out;
}
