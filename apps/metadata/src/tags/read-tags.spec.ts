import { readFileSync } from 'node:fs';
import { readTags, type TagReadResult } from './index';
import {
  FixtureDir,
  aiffWithTextChunks,
  appendChunk,
  flacPictureBody,
  flacWithComments,
  id3v24Tag,
  id3v24TextFrame,
  id3v24UserFrame,
} from './test/fixtures';

/** Every format on real files written by ffmpeg (or, where ffmpeg cannot, built from the specs). */
const COMMON_TAGS = {
  artist: 'Björk',
  title: '東京',
  album: 'Ünïcödé',
  album_artist: 'Various Artists',
  track: '3/12',
  disc: '1/2',
  genre: 'Techno',
  comment: 'first pressing',
};

const expectedCommon = {
  artists: ['Björk'],
  artist: 'Björk',
  title: '東京',
  album: 'Ünïcödé',
  albumArtist: 'Various Artists',
  trackNo: 3,
  trackOf: 12,
  discNo: 1,
  discOf: 2,
  genres: ['Techno'],
  comment: 'first pressing',
};

describe('readTags on real files of every format', () => {
  const fx = new FixtureDir();
  afterAll(() => fx.remove());

  const files: Record<string, string> = {};
  beforeAll(() => {
    files.mp3v23 = fx.tone('v23.mp3', {
      args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3', '-write_id3v1', '1'],
      metadata: { ...COMMON_TAGS, date: '2004', publisher: 'Warp', TSRC: 'GB-AYE-06-01498', TBPM: '128', TKEY: 'Am' },
      cover: true,
    });
    files.mp3v24 = fx.tone('v24.mp3', {
      args: ['-c:a', 'libmp3lame', '-b:a', '192k', '-id3v2_version', '4'],
      metadata: { ...COMMON_TAGS, date: '2004-05-06', publisher: 'Warp' },
    });
    files.flac = fx.tone('tone.flac', {
      args: ['-c:a', 'flac', '-sample_fmt', 's16'],
      metadata: {
        ...COMMON_TAGS,
        date: '1999',
        LABEL: 'R&S Records',
        ISRC: 'USRC17607839',
        BPM: '126.5',
        INITIALKEY: '8A',
      },
      cover: true,
    });
    files.ogg = fx.tone('tone.ogg', {
      args: ['-c:a', 'libvorbis', '-q:a', '2'],
      metadata: { ...COMMON_TAGS, date: '2010', ORGANIZATION: 'Kompakt' },
    });
    files.opus = fx.tone('tone.opus', {
      args: ['-c:a', 'libopus', '-b:a', '96k'],
      metadata: { ...COMMON_TAGS, date: '2021' },
    });
    files.m4a = fx.tone('tone.m4a', {
      args: ['-c:a', 'aac', '-b:a', '128k'],
      metadata: { ...COMMON_TAGS, date: '2012' },
      cover: true,
    });
    files.wma = fx.tone('tone.wma', {
      args: ['-c:a', 'wmav2', '-b:a', '128k'],
      metadata: { ...COMMON_TAGS, 'WM/Year': '2003', 'WM/Publisher': 'Tresor' },
    });
    files.aiff = fx.tone('tone.aiff', {
      args: ['-write_id3v2', '1'],
      metadata: { ...COMMON_TAGS, date: '1995', TBPM: '140' },
    });
    files.wavInfo = fx.tone('info.wav', {
      metadata: { artist: 'Björk', title: '東京', album: 'Ünïcödé', genre: 'Techno', date: '1997' },
    });
  });

  async function read(key: string): Promise<TagReadResult> {
    return readTags(files[key]);
  }

  it('reads MP3 with ID3v2.3 and ID3v1: every field, stream facts and the cover flag', async () => {
    const r = await read('mp3v23');
    expect(r.container).toBe('mpeg');
    expect(r.tagTypes).toEqual(expect.arrayContaining(['ID3v2.3', 'ID3v1']));
    expect(r.tags).toMatchObject({
      ...expectedCommon,
      year: 2004,
      label: 'Warp',
      isrc: 'GBAYE0601498',
      bpm: 128,
      initialKey: 'Am',
    });
    expect(r.stream).toMatchObject({
      codec: 'MPEG 1 Layer 3',
      lossless: false,
      sampleRate: 44100,
      channels: 2,
      bitrate: 128000,
    });
    expect(r.stream.durationSec).toBeCloseTo(3, 0);
    expect(r.hasCoverArt).toBe(true);
  });

  it('keeps the cover out of the raw dump: binary data becomes its size', async () => {
    const r = await read('mp3v23');
    const apic = r.raw.tags['ID3v2.3'].find((e) => e.id === 'APIC');
    expect(apic?.value).toMatchObject({ format: 'image/jpeg', data: { binary: true, bytes: expect.any(Number) } });
    expect(JSON.stringify(r.raw)).not.toMatch(/"data":\{"0":/);
    expect(r.raw.tags['ID3v2.3'].find((e) => e.id === 'TIT2')?.value).toBe('東京');
  });

  it('reads MP3 with ID3v2.4 and a full date', async () => {
    const r = await read('mp3v24');
    expect(r.tagTypes).toContain('ID3v2.4');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 2004, date: '2004-05-06', label: 'Warp' });
    expect(r.stream.bitrate).toBe(192000);
    expect(r.hasCoverArt).toBe(false);
  });

  it('reads FLAC: Vorbis comments, BPM, key, label, ISRC, bit depth, lossless and a PICTURE block', async () => {
    const r = await read('flac');
    expect(r.container).toBe('flac');
    expect(r.tags).toMatchObject({
      ...expectedCommon,
      year: 1999,
      label: 'R&S Records',
      isrc: 'USRC17607839',
      bpm: 126.5,
      initialKey: '8A',
    });
    expect(r.stream).toMatchObject({
      codec: 'FLAC',
      lossless: true,
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      durationSec: 3,
    });
    expect(r.hasCoverArt).toBe(true);
  });

  it('reads Ogg Vorbis with its duration from the last page', async () => {
    const r = await read('ogg');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 2010, label: 'Kompakt' });
    expect(r.stream).toMatchObject({
      codec: 'Vorbis I',
      lossless: false,
      sampleRate: 44100,
      channels: 2,
      durationSec: 3,
      durationEstimated: false,
    });
  });

  it('reads Opus with pre-skip taken off the duration and a bitrate worked out from the size', async () => {
    const r = await read('opus');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 2021 });
    expect(r.stream).toMatchObject({ codec: 'Opus', sampleRate: 48000, channels: 2, durationSec: 3 });
    expect(r.stream.bitrate).toBeGreaterThan(50_000);
  });

  it('reads M4A (AAC in MP4) with its cover', async () => {
    const r = await read('m4a');
    expect(r.container).toBe('mp4');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 2012 });
    expect(r.stream).toMatchObject({ codec: 'MPEG-4/AAC', lossless: false, sampleRate: 44100, channels: 2 });
    expect(r.stream.durationSec).toBeCloseTo(3, 1);
    expect(r.hasCoverArt).toBe(true);
    const covr = r.raw.tags.iTunes.find((e) => e.id === 'covr');
    expect(covr?.value).toMatchObject({ data: { binary: true } });
  });

  it('reads WMA (ASF) including sample rate and channels from the stream properties', async () => {
    const r = await read('wma');
    expect(r.container).toBe('asf');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 2003, label: 'Tresor' });
    expect(r.stream).toMatchObject({
      codec: 'Windows Media Audio V8',
      lossless: false,
      sampleRate: 44100,
      channels: 2,
      bitrate: 128000,
    });
  });

  it('reads AIFF with an ID3 chunk', async () => {
    const r = await read('aiff');
    expect(r.container).toBe('aiff');
    expect(r.tags).toMatchObject({ ...expectedCommon, year: 1995, bpm: 140 });
    expect(r.stream).toMatchObject({ codec: 'PCM', lossless: true, bitsPerSample: 16, durationSec: 3 });
  });

  it('reads AIFF text chunks (NAME, AUTH, ANNO) as UTF-8 or Windows-1252, not 7-bit', async () => {
    const plain = fx.tone('plain.aiff', { args: ['-map_metadata', '-1', '-fflags', '+bitexact'] });
    const withText = aiffWithTextChunks(readFileSync(plain), [
      ['NAME', Buffer.from('東京 Nights', 'utf8')],
      ['AUTH', Buffer.from([0x42, 0x6a, 0xf6, 0x72, 0x6b])], // "Björk" in Windows-1252
      ['ANNO', Buffer.from('mastered at 24/96', 'utf8')],
    ]);
    const r = await readTags(fx.write('text.aiff', withText));
    expect(r.tags).toMatchObject({
      title: '東京 Nights',
      artist: 'Björk',
      artists: ['Björk'],
      comment: 'mastered at 24/96',
    });
  });

  it('reads WAV LIST/INFO written as UTF-8 (repairing the Latin-1 reading)', async () => {
    const r = await read('wavInfo');
    expect(r.container).toBe('wave');
    expect(r.tags).toMatchObject({ artist: 'Björk', title: '東京', album: 'Ünïcödé', genres: ['Techno'], year: 1997 });
    expect(r.stream).toMatchObject({
      codec: 'PCM',
      lossless: true,
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      durationSec: 3,
    });
  });

  it('reads WAV with an ID3 chunk', async () => {
    const plain = readFileSync(fx.tone('plain.wav', { args: ['-map_metadata', '-1', '-fflags', '+bitexact'] }));
    const tag = id3v24Tag([
      id3v24TextFrame('TPE1', 'Ryoji Ikeda'),
      id3v24TextFrame('TIT2', 'data.matrix'),
      id3v24TextFrame('TRCK', '03/10'),
      id3v24TextFrame('TDRC', '2005'),
      id3v24TextFrame('TBPM', '120'),
      id3v24TextFrame('TKEY', 'C#m'),
      id3v24UserFrame('LABEL', 'Raster-Noton'),
    ]);
    const r = await readTags(fx.write('id3.wav', appendChunk(plain, 'id3 ', tag, true)));
    expect(r.tags).toMatchObject({
      artist: 'Ryoji Ikeda',
      title: 'data.matrix',
      trackNo: 3,
      trackOf: 10,
      year: 2005,
      bpm: 120,
      initialKey: 'C#m',
      label: 'Raster-Noton',
    });
    expect(r.tagTypes).toContain('ID3v2.4');
  });

  it('keeps multi-value artists as a list with a joined display (ID3v2.4 NUL-separated, Vorbis repeated)', async () => {
    const mp3 = readFileSync(
      fx.tone('bare.mp3', { args: ['-c:a', 'libmp3lame', '-write_id3v2', '0', '-write_xing', '0'] }),
    );
    const tag = id3v24Tag([
      id3v24TextFrame('TPE1', 'Moderat', 'Apparat', 'Modeselektor'),
      id3v24TextFrame('TIT2', 'Bad Kingdom'),
    ]);
    const r1 = await readTags(fx.write('multi.mp3', Buffer.concat([tag, mp3])));
    expect(r1.tags.artists).toEqual(['Moderat', 'Apparat', 'Modeselektor']);
    expect(r1.tags.artist).toMatch(/Moderat.*Apparat.*Modeselektor/);

    const flac = readFileSync(files.flac);
    const r2 = await readTags(
      fx.write(
        'multi.flac',
        flacWithComments(flac, [
          ['ARTIST', 'Daft Punk'],
          ['ARTIST', 'Pharrell Williams'],
          ['ARTIST', 'Nile Rodgers'],
          ['TITLE', 'Get Lucky'],
        ]),
      ),
    );
    expect(r2.tags.artists).toEqual(['Daft Punk', 'Pharrell Williams', 'Nile Rodgers']);
    expect(r2.tags.artist).toMatch(/Daft Punk.*Pharrell Williams.*Nile Rodgers/);
  });

  it('keeps unicode as read: NFC, RTL text, emoji with joiners; strips NUL and control characters', async () => {
    const flac = readFileSync(files.flac);
    const r = await readTags(
      fx.write(
        'unicode.flac',
        flacWithComments(flac, [
          ['ARTIST', 'Bjo\u0308rk'], // decomposed ö
          ['TITLE', '  שלום עולם \u0000\u0007 مرحبا  '],
          ['ALBUM', '🎧🔥 👩‍🎤 Ünïcödé'],
          ['GENRE', 'Drum\u0000 & Bass'],
          ['COMMENT', 'line one\r\nline two\u001b[31m'],
        ]),
      ),
    );
    expect(r.tags.artist).toBe('Björk');
    expect(r.tags.artist).toBe('Björk'.normalize('NFC'));
    expect(r.tags.title).toBe('שלום עולם  مرحبا');
    expect(r.tags.album).toBe('🎧🔥 👩‍🎤 Ünïcödé');
    expect(r.tags.genres).toEqual(['Drum & Bass']);
    expect(r.tags.comment).toBe('line one\nline two[31m');
  });

  it('stores hostile text as data, unchanged apart from normalisation', async () => {
    const flac = readFileSync(files.flac);
    const hostile = [
      '<script>alert(1)</script>',
      '${process.exit(1)}',
      '../../etc/passwd',
      "'; DROP TABLE files; --",
      '{{constructor.constructor("x")()}}',
    ];
    const r = await readTags(
      fx.write(
        'hostile.flac',
        flacWithComments(
          flac,
          hostile.map((h) => ['ARTIST', h] as [string, string]),
        ),
      ),
    );
    expect(r.tags.artists).toEqual(hostile);
  });

  it('caps very long values', async () => {
    const flac = readFileSync(files.flac);
    const r = await readTags(
      fx.write(
        'long.flac',
        flacWithComments(flac, [
          ['TITLE', 'x'.repeat(100_000)],
          ['COMMENT', 'y'.repeat(100_000)],
        ]),
      ),
    );
    expect(r.tags.title!.length).toBeLessThanOrEqual(1024);
    expect(r.tags.title!.endsWith('…')).toBe(true);
    expect(r.tags.comment!.length).toBeLessThanOrEqual(8192);
    expect(JSON.stringify(r.raw).length).toBeLessThan(70 * 1024);
  });

  it('gives nulls and empty lists for a file without tags', async () => {
    const r = await readTags(fx.tone('untagged.flac', { args: ['-map_metadata', '-1', '-fflags', '+bitexact'] }));
    expect(r.tags).toEqual({
      artists: [],
      artist: null,
      title: null,
      album: null,
      albumArtist: null,
      trackNo: null,
      trackOf: null,
      discNo: null,
      discOf: null,
      year: null,
      date: null,
      genres: [],
      label: null,
      comment: null,
      isrc: null,
      bpm: null,
      initialKey: null,
    });
    expect(r.hasCoverArt).toBe(false);
    expect(r.stream.durationSec).toBe(3);
  });

  it.each([
    ['2004-05-06', 2004, '2004-05-06'],
    ['1899', 1899, '1899'],
    ['0', null, '0'],
    ['999', null, '999'],
    ['20041', null, '20041'],
    ['12/31/1998', 1998, '12/31/1998'],
    ['unknown', null, 'unknown'],
  ])('takes only 1000–9999 as a year: DATE=%s → %s', async (date, year, text) => {
    const r = await readTags(
      fx.write(`date-${year}-${text.length}.flac`, flacWithComments(readFileSync(files.flac), [['DATE', date]])),
    );
    expect(r.tags.year).toBe(year);
    expect(r.tags.date).toBe(text);
  });

  it.each([
    [[['TRACKNUMBER', '3/12']], 3, 12],
    [[['TRACKNUMBER', '03']], 3, null],
    [
      [
        ['TRACKNUMBER', '7'],
        ['TRACKTOTAL', '9'],
      ],
      7,
      9,
    ],
    [[['TRACKNUMBER', 'A1']], null, null],
    [[['TRACKNUMBER', '0/0']], null, null],
  ] as [[string, string][], number | null, number | null][])(
    'reads track positions %j → %s of %s',
    async (comments, no, of) => {
      const r = await readTags(
        fx.write(
          `track-${no}-${of}-${comments.length}-${comments[0][1].replace('/', '_')}.flac`,
          flacWithComments(readFileSync(files.flac), comments),
        ),
      );
      expect(r.tags.trackNo).toBe(no);
      expect(r.tags.trackOf).toBe(of);
    },
  );

  it('reads the content, not the name: AAC in MP4 named .mp3 is read as MP4 and flagged', async () => {
    const r = await readTags(fx.write('really-aac.mp3', readFileSync(files.m4a)));
    expect(r.container).toBe('mp4');
    expect(r.extensionMismatch).toBe(true);
    expect(r.warnings.join(' ')).toMatch(/\.mp3 extension does not match/);
    expect(r.tags.title).toBe('東京');
  });

  it('marks a cover in Ogg carried as METADATA_BLOCK_PICTURE', async () => {
    const picture = flacPictureBody(readFileSync(fx.cover())).toString('base64');
    const r = await readTags(
      fx.tone('cover.ogg', {
        args: ['-c:a', 'libvorbis'],
        metadata: { title: 'with cover', METADATA_BLOCK_PICTURE: picture },
      }),
    );
    expect(r.hasCoverArt).toBe(true);
    expect(JSON.stringify(r.raw)).not.toContain(picture.slice(0, 40));
  });
});

describe('readTags on video files: stream facts', () => {
  const fx = new FixtureDir();
  afterAll(() => fx.remove());

  it('reads MP4 (H.264 + AAC) with picture size, frame rate and tags', async () => {
    const file = fx.video(
      'clip.mp4',
      ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ['-c:a', 'aac'],
      { title: 'Live at Tresor', artist: 'Surgeon' },
    );
    const r = await readTags(file);
    expect(r.container).toBe('mp4');
    expect(r.stream).toMatchObject({
      hasVideo: true,
      hasAudio: true,
      codec: 'aac',
      sampleRate: 44100,
      video: { codec: 'h264', width: 64, height: 48, frameRate: 25 },
    });
    expect(r.stream.durationSec).toBeCloseTo(1, 0);
    expect(r.tags).toMatchObject({ title: 'Live at Tresor', artist: 'Surgeon' });
  });

  it('reads Matroska and WebM', async () => {
    const mkv = await readTags(fx.video('clip.mkv', ['-c:v', 'mpeg4'], ['-c:a', 'flac'], { title: 'Boiler Room' }));
    expect(mkv.container).toBe('matroska');
    expect(mkv.stream).toMatchObject({
      hasVideo: true,
      codec: 'flac',
      lossless: true,
      video: { codec: 'mpeg4', width: 64, height: 48 },
    });
    expect(mkv.tags.title).toBe('Boiler Room');
    const webm = await readTags(
      fx.video('clip.webm', ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '100k'], ['-c:a', 'libopus']),
    );
    expect(webm.stream).toMatchObject({ hasVideo: true, codec: 'opus', video: { codec: 'vp8' } });
  });

  it('reads AVI, which only ffprobe knows', async () => {
    const r = await readTags(fx.video('clip.avi', ['-c:v', 'mpeg4'], ['-c:a', 'libmp3lame']));
    expect(r.container).toBe('avi');
    expect(r.stream).toMatchObject({ hasVideo: true, codec: 'mp3', video: { codec: 'mpeg4', width: 64, height: 48 } });
  });
});
