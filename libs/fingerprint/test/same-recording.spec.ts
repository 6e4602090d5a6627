import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fingerprintFile, TrackFingerprint } from '../src/fingerprint';
import { indexTrack } from '../src/indexing';
import { findSameRecordings, groupSameRecordings } from '../src/same-recording';
import { MemoryFingerprintIndex } from '../src/store/memory-index';
import { LIBRARY } from './support/fixtures';

const ENCODINGS = [
  { ext: 'flac', args: ['-c:a', 'flac'] },
  { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k'] },
  { ext: 'ogg', args: ['-c:a', 'libvorbis', '-q:a', '2'] },
];

describe('same-recording groups', () => {
  let work: string;
  const index = new MemoryFingerprintIndex();
  /** id → [song id, encoding] */
  const files = new Map<number, { song: number; ext: string; path: string }>();
  const prints = new Map<number, TrackFingerprint>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-fp-same-'));
    let id = 100;
    for (const song of LIBRARY) {
      for (const enc of ENCODINGS) {
        const out = path.join(work, `${song.id}.${enc.ext}`);
        execFileSync('ffmpeg', ['-y', '-v', 'error', '-i', song.file, '-map', '0:a:0', '-vn', ...enc.args, out]);
        files.set(++id, { song: song.id, ext: enc.ext, path: out });
      }
    }
    // A "mix" file holding one whole song followed by another: it contains a recording, it is not one.
    const mix = path.join(work, 'mix.flac');
    execFileSync('ffmpeg', [
      '-y',
      '-v',
      'error',
      '-i',
      LIBRARY[0].file,
      '-i',
      LIBRARY[1].file,
      '-filter_complex',
      '[0:a][1:a]concat=n=2:v=0:a=1[a]',
      '-map',
      '[a]',
      '-c:a',
      'flac',
      mix,
    ]);
    files.set(999, { song: -1, ext: 'mix', path: mix });
    for (const [fileId, f] of files) {
      prints.set(fileId, await fingerprintFile(f.path));
      await indexTrack(index, fileId, prints.get(fileId)!);
    }
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('groups FLAC, MP3, AAC and Ogg of each song together, and different songs never', async () => {
    const pairs: [number, number][] = [];
    for (const fileId of files.keys()) {
      for (const m of await findSameRecordings(index, prints.get(fileId)!, { excludeTrackId: fileId })) {
        expect(m.offsetSec).toBeLessThan(0.2);
        pairs.push([fileId, m.trackId]);
      }
    }
    const groups = groupSameRecordings(pairs);
    const expected = LIBRARY.map((song) =>
      [...files]
        .filter(([, f]) => f.song === song.id)
        .map(([id]) => id)
        .sort((a, b) => a - b),
    );
    expect(groups).toEqual(expected);
  });

  it('does not call a song and a mix that contains it the same recording', async () => {
    const song = await findSameRecordings(index, prints.get(101)!, { excludeTrackId: 101 });
    expect(song.map((m) => m.trackId)).not.toContain(999);
    expect(await findSameRecordings(index, prints.get(999)!, { excludeTrackId: 999 })).toEqual([]);
  });
});

describe('groupSameRecordings', () => {
  it('joins chains and keeps singletons out', () => {
    expect(
      groupSameRecordings([
        [1, 2],
        [3, 2],
        [5, 6],
        [7, 7],
      ]),
    ).toEqual([
      [1, 2, 3],
      [5, 6],
    ]);
  });
});
