import { readFileSync } from 'node:fs';
import { readFastPath } from './fast-path';
import { readTags } from './index';
import { sniffContainer } from './sniff';
import { ReadBudget, openSourceFile } from './source-file';
import {
  FixtureDir,
  flacPictureBody,
  flacWithComments,
  id3v24Tag,
  id3v24TextFrame,
  id3v24UserFrame,
} from './test/fixtures';

/**
 * The fast readers must give exactly what music-metadata's path gives: every field of the result,
 * the raw dump, the warnings and the failures. Each file is read both ways and compared whole; the
 * files the fast readers are meant to handle are also checked to really take the fast path, so the
 * comparison is not between music-metadata and itself.
 */
const UNICODE = {
  artist: 'Björk',
  title: '東京 Nacht',
  album: 'Ünïcödé (Deluxe)',
  album_artist: 'Various Artists',
  track: '3/12',
  disc: '1/2',
  genre: 'Techno',
  comment: 'first pressing',
  date: '2004-05-06',
  publisher: 'Warp',
};

async function takesFastPath(file: string): Promise<boolean> {
  const source = await openSourceFile(file, new ReadBudget(32 * 1024 * 1024, 10_000), 'sync');
  try {
    await source.loadWindows();
    return readFastPath(source, await sniffContainer(source, '')) !== null;
  } finally {
    await source.close();
  }
}

async function bothWays(file: string): Promise<[unknown, unknown]> {
  const read = (fastPath: boolean) =>
    readTags(file, { io: 'sync', fastPath }).catch((e: unknown) => ({
      failed: (e as { kind?: string }).kind,
      reason: (e as Error).message,
    }));
  return [await read(true), await read(false)];
}

describe('fast readers give the same result as music-metadata', () => {
  const fx = new FixtureDir();
  afterAll(() => fx.remove());

  const fast: Record<string, string> = {};
  const other: Record<string, string> = {};
  beforeAll(() => {
    const mp3 = (name: string, args: string[], metadata: Record<string, string> = UNICODE, cover = false) =>
      fx.tone(name, { args: ['-c:a', 'libmp3lame', ...args], metadata, cover, seconds: 4 });
    fast['v24-unicode-cover.mp3'] = mp3('a.mp3', ['-b:a', '192k', '-id3v2_version', '4'], UNICODE, true);
    fast['v24-vbr.mp3'] = mp3('b.mp3', ['-q:a', '2', '-id3v2_version', '4']);
    fast['v23-ascii.mp3'] = mp3('c.mp3', ['-b:a', '128k', '-id3v2_version', '3'], {
      artist: 'AC/DC',
      title: 'Back in Black',
      track: '6',
      TBPM: '94',
      TKEY: 'Em',
      TSRC: 'AUAP08000046',
    });
    fast['no-tags.mp3'] = mp3('d.mp3', ['-b:a', '128k', '-id3v2_version', '0', '-map_metadata', '-1'], {});
    const bare = readFileSync(fast['no-tags.mp3']);
    fast['v24-multi-artist.mp3'] = fx.write(
      'e.mp3',
      Buffer.concat([
        id3v24Tag([
          id3v24TextFrame('TPE1', 'Moderat', 'Apparat', 'Modeselektor'),
          id3v24TextFrame('TIT2', '  Bad Kingdom\u0000 '),
          id3v24TextFrame('TCON', 'Techno', 'IDM'),
          id3v24TextFrame('TRCK', '03/12'),
          id3v24TextFrame('TDRC', '2013'),
          id3v24UserFrame('LABEL', 'Monkeytown'),
          id3v24UserFrame('initialkey', '8A'),
          id3v24UserFrame('BPM', '126.50'),
          Buffer.alloc(37), // padding that is not a whole number of frame headers
        ]),
        bare,
      ]),
    );
    fast['stacked-tags.mp3'] = fx.write(
      'f.mp3',
      Buffer.concat([id3v24Tag([id3v24TextFrame('TIT2', 'first')]), id3v24Tag([Buffer.alloc(20)]), bare]),
    );
    other['v23-unicode.mp3'] = mp3('g.mp3', ['-b:a', '128k', '-id3v2_version', '3']);
    other['id3v1.mp3'] = mp3('h.mp3', ['-b:a', '128k', '-write_id3v1', '1']);
    other['genre-code.mp3'] = fx.write(
      'i.mp3',
      Buffer.concat([id3v24Tag([id3v24TextFrame('TCON', '(17)Rock')]), bare]),
    );

    const flac = fx.tone('a.flac', { args: ['-c:a', 'flac'], metadata: UNICODE, seconds: 4 });
    fast['unicode.flac'] = flac;
    fast['no-tags.flac'] = fx.tone('b.flac', { args: ['-c:a', 'flac', '-map_metadata', '-1'], seconds: 4 });
    fast['multi-artist-picture.flac'] = fx.write(
      'c.flac',
      flacWithComments(
        readFileSync(flac),
        [
          ['ARTIST', 'Moderat'],
          ['artist', 'Apparat'],
          ['TITLE', 'Ｂａｄ\u0301 Kingdom'],
          ['TRACKNUMBER', '3'],
          ['TRACKTOTAL', '12'],
          ['DATE', '2013'],
          ['BPM', '126.5'],
          ['INITIALKEY', 'Am'],
          ['ISRC', 'de-a25-13-00001'],
          ['NOEQUALSIGN', ''],
        ],
        [{ type: 6, data: flacPictureBody(readFileSync(fx.cover())) }],
      ),
    );
    fast['unicode.ogg'] = fx.tone('a.ogg', { args: ['-c:a', 'libvorbis'], metadata: UNICODE, seconds: 4 });
    fast['long.ogg'] = fx.tone('b.ogg', { args: ['-c:a', 'libvorbis'], metadata: UNICODE, seconds: 30 });
    fast['no-tags.ogg'] = fx.tone('c.ogg', { args: ['-c:a', 'libvorbis', '-map_metadata', '-1'], seconds: 4 });
    const m4a = (name: string, args: string[], metadata: Record<string, string> = UNICODE, cover = false) =>
      fx.tone(name, { args, metadata, cover, seconds: 4 });
    fast['unicode.m4a'] = m4a('a.m4a', ['-c:a', 'aac', '-b:a', '160k']);
    fast['faststart-cover.m4a'] = m4a('b.m4a', ['-c:a', 'aac', '-movflags', '+faststart'], UNICODE, true);
    fast['alac.m4a'] = m4a('c.m4a', ['-c:a', 'alac'], { ...UNICODE, TBPM: '128' });
    fast['no-tags.m4a'] = m4a('d.m4a', ['-c:a', 'aac', '-map_metadata', '-1', '-fflags', '+bitexact'], {});
    other['video.mp4'] = fx.video('e.mp4', ['-c:v', 'mpeg4'], ['-c:a', 'aac'], { title: 'clip' });
    other['opus.ogg'] = fx.tone('d.opus', { args: ['-c:a', 'libopus'], metadata: UNICODE, seconds: 4 });

    // The bad-input set, cut from the files above.
    const bad = (name: string, from: string, cut: (b: Buffer) => Buffer) =>
      (other[name] = fx.write(name, cut(readFileSync(from))));
    const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
    bad('half.mp3', fast['v24-vbr.mp3'], half);
    bad('tag-only.mp3', fast['v24-multi-artist.mp3'], (b) => b.subarray(0, 400));
    bad('half.flac', fast['unicode.flac'], half);
    bad('cut-metadata.flac', fast['multi-artist-picture.flac'], (b) => b.subarray(0, 200));
    bad('half.ogg', fast['long.ogg'], half);
    bad('no-end.ogg', fast['long.ogg'], (b) => b.subarray(0, b.length - 500));
    bad('half.m4a', fast['unicode.m4a'], half);
    bad('moov-cut.m4a', fast['faststart-cover.m4a'], (b) => b.subarray(0, 300));
    bad('headers-only.ogg', fast['unicode.ogg'], (b) => b.subarray(0, 6000));
  }, 60_000);

  it('takes the fast path for the plain files', async () => {
    for (const [name, file] of Object.entries(fast)) expect([name, await takesFastPath(file)]).toEqual([name, true]);
  });

  it('leaves the unusual files to music-metadata', async () => {
    for (const name of ['v23-unicode.mp3', 'id3v1.mp3', 'genre-code.mp3', 'opus.ogg', 'video.mp4'])
      expect([name, await takesFastPath(other[name])]).toEqual([name, false]);
  });

  it('reads every file field for field as music-metadata does', async () => {
    for (const [name, file] of [...Object.entries(fast), ...Object.entries(other)]) {
      const [quick, reference] = await bothWays(file);
      expect([name, quick]).toEqual([name, reference]);
    }
  });

  it('reads what the tags say', async () => {
    const multi = (await readTags(fast['v24-multi-artist.mp3'])).tags;
    expect(multi).toMatchObject({
      artists: ['Moderat', 'Apparat', 'Modeselektor'],
      title: 'Bad Kingdom',
      genres: ['Techno', 'IDM'],
      trackNo: 3,
      trackOf: 12,
      year: 2013,
      label: 'Monkeytown',
      initialKey: '8A',
      bpm: 126.5,
    });
    const flac = await readTags(fast['multi-artist-picture.flac']);
    expect(flac.tags).toMatchObject({ artists: ['Moderat', 'Apparat'], trackNo: 3, trackOf: 12, isrc: 'DEA251300001' });
    expect(flac.hasCoverArt).toBe(true);
    const mp3 = await readTags(fast['v24-unicode-cover.mp3']);
    expect(mp3.tags).toMatchObject({ artist: 'Björk', title: '東京 Nacht', discNo: 1, discOf: 2, label: 'Warp' });
    expect(mp3.hasCoverArt).toBe(true);
    expect(mp3.stream).toMatchObject({ codec: 'MPEG 1 Layer 3', sampleRate: 44100, channels: 2, lossless: false });
    const m4a = await readTags(fast['faststart-cover.m4a']);
    expect(m4a.tags).toMatchObject({ artist: 'Björk', album: 'Ünïcödé (Deluxe)', trackNo: 3, trackOf: 12, year: 2004 });
    expect(m4a.hasCoverArt).toBe(true);
    expect(m4a.stream).toMatchObject({ codec: 'MPEG-4/AAC', lossless: false, sampleRate: 44100, channels: 2 });
    expect((await readTags(fast['alac.m4a'])).stream).toMatchObject({ codec: 'ALAC', lossless: true });
    const ogg = await readTags(fast['long.ogg']);
    expect(ogg.stream).toMatchObject({ codec: 'Vorbis I', durationSec: 30 });
  });
});
