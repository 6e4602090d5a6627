import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface FixtureTreeSummary {
  music: number;
  video: number;
  companion: number;
  ignored: number;
  symlinks: number;
  /** Relative path → content of every tracked file, for hash checks. */
  contents: Map<string, Buffer>;
  /** Names (raw bytes) that are not valid UTF-8. */
  rawNames: Buffer[];
}

const MUSIC = ['mp3', 'flac', 'm4a', 'ogg', 'wav', 'aiff', 'wma', 'aac', 'opus', 'MP3', 'Flac'];
const VIDEO = ['mp4', 'mkv', 'avi', 'webm', 'mov', 'wmv', 'flv'];
const COMPANION = ['cue', 'nfo', 'txt', 'jpg', 'jpeg', 'png', 'gif', 'm3u', 'm3u8', 'pls', 'sfv', 'md5'];
const IGNORED = ['exe', 'db', 'ini', 'zip', 'part', ''];

/**
 * Builds a messy archive: nested scene-style folders, every kind and extension (in mixed case), ignored
 * files, zero-byte files, names that are not valid UTF-8, a symlink loop and a link leaving the root.
 * Small random contents keep it fast while making every hash distinct.
 */
export function buildFixtureTree(root: string, totalFiles: number, outside: string): FixtureTreeSummary {
  const summary: FixtureTreeSummary = {
    music: 0,
    video: 0,
    companion: 0,
    ignored: 0,
    symlinks: 0,
    contents: new Map(),
    rawNames: [],
  };
  mkdirSync(root, { recursive: true });
  let n = 0;
  const dirs = [
    'Artist_-_Album-(LBL001)-WEB-2024-GRP',
    'Mixes/2023',
    'Mixes/2024/Boiler Room',
    'Björk – Homogenic (1997)',
    '東京 Live',
    'promos/[unsorted]',
    "weird name with 'quotes' & $dollar",
  ];
  for (const d of dirs) mkdirSync(path.join(root, d), { recursive: true });
  const write = (rel: string, content: Buffer) => {
    writeFileSync(path.join(root, rel), content);
    summary.contents.set(rel, content);
  };
  while (n < totalFiles) {
    const dir = dirs[n % dirs.length];
    const pick = n % 10;
    let ext: string;
    if (pick < 5) {
      ext = MUSIC[n % MUSIC.length];
      summary.music++;
    } else if (pick < 6) {
      ext = VIDEO[n % VIDEO.length];
      summary.video++;
    } else if (pick < 9) {
      ext = COMPANION[n % COMPANION.length];
      summary.companion++;
    } else {
      ext = IGNORED[n % IGNORED.length];
      summary.ignored++;
    }
    const name = `${String(n).padStart(5, '0')} - Track ${n}${ext ? '.' + ext : ''}`;
    const content = n % 97 === 0 ? Buffer.alloc(0) : randomBytes(200 + (n % 1000));
    if (pick < 9) write(path.join(dir, name), content);
    else writeFileSync(path.join(root, dir, name), content); // ignored kinds are not part of `contents`
    n++;
  }
  // Names that are not valid UTF-8 (Latin-1 bytes from an old Windows copy).
  for (const bytes of [
    Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x2e, 0x6d, 0x70, 0x33]),
    Buffer.from([0xff, 0xfe, 0x2e, 0x66, 0x6c, 0x61, 0x63]),
  ]) {
    const full = Buffer.concat([Buffer.from(path.join(root, 'promos') + '/'), bytes]);
    writeFileSync(full, randomBytes(300));
    summary.rawNames.push(bytes);
    summary.music++;
  }
  // A symlink loop and a link that leaves the root: both skipped and counted.
  symlinkSync('..', path.join(root, 'Mixes', 'loop'));
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.mp3'), randomBytes(100));
  symlinkSync(outside, path.join(root, 'outside-link'));
  symlinkSync(path.join(outside, 'secret.mp3'), path.join(root, 'promos', 'linked.mp3'));
  summary.symlinks = 3;
  return summary;
}
