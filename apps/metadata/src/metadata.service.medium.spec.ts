import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { recordFiles, type FileRow } from '../test/file-rows';
import { DEFAULT_METADATA_CONFIG } from './metadata.config';
import { createMetadataService } from './metadata.handler';
import { PermanentError } from '@crateflow/messaging';
import type { MetadataService } from './metadata.service';
import { TagReaderPool } from './tags';
import { FixtureDir, id3v24Tag, id3v24TextFrame, junkId3v2Tag, noise } from './tags/test/fixtures';

/**
 * The metadata stage against the real database, on real files written by ffmpeg (and a few built byte
 * by byte): what it stores for each format, how it fails on bad input and carries on, and how it links
 * companions that arrive before or after their media.
 */
describe('MetadataService against the real database', () => {
  const fx = new FixtureDir();
  let db: TestDatabase;
  let service: MetadataService;
  // The tag reader the service uses in production: worker threads.
  const pool = new TagReaderPool({ workers: 2 });

  beforeAll(async () => {
    db = await createTestDatabase('metadata');
    service = createMetadataService(db.dataSource, DEFAULT_METADATA_CONFIG, { tagReader: pool });
  });
  afterAll(async () => {
    await pool.close();
    await db?.drop();
    fx.remove();
  });

  const meta = async (id: string) =>
    (await db.dataSource.query(`SELECT * FROM file_metadata WHERE file_id = $1`, [id]))[0];
  const process = (f: FileRow) => service.process({ fileId: f.id, contentHash: f.contentHash, kind: f.kind });
  const failureOf = async (f: FileRow): Promise<PermanentError> => {
    const err = await process(f).then(
      () => new Error(`expected ${f.path} to fail`),
      (e: unknown) => e,
    );
    if (!(err instanceof PermanentError)) throw err;
    return err;
  };

  function folder(name: string): string {
    const dir = fx.path(name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  it('stores tags and stream facts of every format, unicode intact', async () => {
    const dir = folder('formats');
    const common = {
      artist: 'Björk',
      title: 'Jóga (東京 mix) 🎧',
      album: 'Homogenic',
      track: '3/12',
      disc: '1/2',
      genre: 'Electronic',
    };
    const make = (name: string, args: string[], metadata: Record<string, string> = {}) =>
      fx.tone(path.join('formats', name), { args, metadata: { ...common, ...metadata } });
    const paths = [
      make('v24.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k', '-id3v2_version', '4'], {
        date: '1997-09-22',
        publisher: 'One Little Indian',
        TBPM: '128',
        TKEY: 'Am',
      }),
      make('tone.flac', ['-c:a', 'flac', '-sample_fmt', 's16'], {
        date: '1997',
        LABEL: 'One Little Indian',
        ISRC: 'GB-AAA-97-00001',
      }),
      make('tone.m4a', ['-c:a', 'aac', '-b:a', '128k'], { date: '1997' }),
      make('tone.ogg', ['-c:a', 'libvorbis', '-q:a', '2'], { date: '1997' }),
      make('tone.wma', ['-c:a', 'wmav2', '-b:a', '128k'], { 'WM/Year': '1997' }),
      fx.video(path.join('formats', 'clip.mkv'), ['-c:v', 'mpeg4'], ['-c:a', 'flac'], { title: 'Boiler Room' }),
    ];
    expect(paths.every((p) => p.startsWith(dir))).toBe(true);
    const rows = await recordFiles(db.dataSource, paths);
    for (const f of rows) await expect(process(f)).resolves.toEqual({ outcome: 'completed' });

    const [mp3, flac, m4a, ogg, wma, mkv] = await Promise.all(rows.map((r) => meta(r.id)));
    for (const m of [mp3, flac, m4a, ogg, wma]) {
      expect(m).toMatchObject({
        status: 'read',
        artist: 'Björk',
        title: 'Jóga (東京 mix) 🎧',
        album: 'Homogenic',
        track_no: 3,
        track_of: 12,
        year: 1997,
      });
      expect(m.genre).toBe('Electronic');
      expect(m.sample_rate).toBe(44100);
      expect(m.channels).toBe(2);
      expect(m.duration_sec).toBeCloseTo(3, 0);
    }
    expect(mp3).toMatchObject({
      container: 'mpeg',
      codec: 'MPEG 1 Layer 3',
      lossless: false,
      date: '1997-09-22',
      label: 'One Little Indian',
      bpm_tag: '128.00',
      key_tag: 'Am',
      disc_no: 1,
      disc_of: 2,
    });
    expect(mp3.bitrate).toBeGreaterThan(150_000);
    expect(mp3.tag_types).toContain('ID3v2.4');
    expect(mp3.raw.tags['ID3v2.4'].map((e: { id: string }) => e.id)).toContain('TIT2');
    expect(flac).toMatchObject({
      container: 'flac',
      lossless: true,
      bits_per_sample: 16,
      label: 'One Little Indian',
      isrc: 'GBAAA9700001',
    });
    expect(m4a).toMatchObject({ container: 'mp4', lossless: false });
    expect(ogg).toMatchObject({ container: 'ogg', lossless: false });
    expect(wma).toMatchObject({ container: 'asf' });
    expect(mkv).toMatchObject({ status: 'read', container: 'matroska', title: 'Boiler Room', artist: null });
    expect(mkv.stream).toMatchObject({ hasVideo: true, video: { width: 64, height: 48 } });
  });

  it('keeps multi-value artists and leaves missing tags empty', async () => {
    folder('multi');
    const audio = readFileSync(
      fx.tone('multi/plain.mp3', { args: ['-c:a', 'libmp3lame', '-write_id3v2', '0', '-map_metadata', '-1'] }),
    );
    const tag = id3v24Tag([id3v24TextFrame('TPE1', 'Artist One', 'Artist Two'), id3v24TextFrame('TIT2', 'Together')]);
    const multi = fx.write('multi/two artists.mp3', Buffer.concat([tag, audio]));
    const [plain, two] = await recordFiles(db.dataSource, [fx.path('multi/plain.mp3'), multi]);
    await process(plain);
    await process(two);
    expect(await meta(two.id)).toMatchObject({
      artists: ['Artist One', 'Artist Two'],
      artist: 'Artist One & Artist Two',
      title: 'Together',
    });
    expect(await meta(plain.id)).toMatchObject({
      status: 'read',
      artist: null,
      title: null,
      album: null,
      year: null,
      artists: [],
      genres: [],
      has_cover: false,
    });
  });

  it('fails the bad-input set with a readable reason, records it, and reads the next file as usual', async () => {
    folder('bad');
    const good = readFileSync(fx.tone('bad/good.flac', { args: ['-c:a', 'flac'], seconds: 20 }));
    const mp3 = readFileSync(fx.tone('bad/good.mp3', { args: ['-c:a', 'libmp3lame'] }));
    const bad: [string, Buffer, RegExp][] = [
      ['zero.mp3', Buffer.alloc(0), /^zero-byte file$/],
      ['truncated.flac', good.subarray(0, Math.floor(good.length / 2)), /^truncated: /],
      ['random.mp3', noise(200_000, 9), /^not an MP3 file/],
      ['readme.flac', Buffer.from('This is a text file that somebody named .flac\n'), /^not a FLAC file: .*plain text/],
      ['junk tag.mp3', Buffer.concat([junkId3v2Tag(50 * 1024 * 1024), mp3]), /ID3v2 tag/],
    ];
    const paths = bad.flatMap(([name, bytes]) => [fx.write(`bad/${name}`, bytes), fx.path('bad/good.mp3')]);
    const rows = await recordFiles(db.dataSource, [...new Set(paths)]);
    const byName = new Map(rows.map((r) => [path.basename(r.path), r]));
    for (const [name, , reason] of bad) {
      const err = await failureOf(byName.get(name)!);
      expect(err.reason).toMatch(reason);
      const m = await meta(byName.get(name)!.id);
      expect(m).toMatchObject({ status: 'failed', failure_reason: err.reason, failure_kind: err.code, artist: null });
      // The stage is not stuck: the next file reads as usual.
      await expect(process(byName.get('good.mp3')!)).resolves.toEqual({ outcome: 'completed' });
    }
    expect((await meta(byName.get('junk tag.mp3')!.id)).failure_kind).toBe('too-large');
  });

  it('is idempotent, and skips an event about content the file no longer has', async () => {
    folder('again');
    const [f] = await recordFiles(db.dataSource, [
      fx.tone('again/a.ogg', { args: ['-c:a', 'libvorbis'], metadata: { title: 'Once' } }),
    ]);
    await process(f);
    const first = await meta(f.id);
    await process(f);
    const second = await meta(f.id);
    expect({ ...second, read_at: null }).toEqual({ ...first, read_at: null });
    const stale = await service.process({ fileId: f.id, contentHash: 'f'.repeat(64), kind: 'music' });
    expect(stale.outcome).toBe('skipped');
    expect((await meta(f.id)).content_hash).toBe(f.contentHash);
  });

  it('records a generic failure only when the stage has not recorded its own', async () => {
    folder('generic');
    const [f, g] = await recordFiles(db.dataSource, [
      fx.write('generic/empty.mp3', Buffer.alloc(0)),
      fx.tone('generic/ok.ogg', { args: ['-c:a', 'libvorbis'] }),
    ]);
    await failureOf(f);
    await service.recordFailure({ fileId: f.id, contentHash: f.contentHash }, 'PermanentError: zero-byte file');
    expect((await meta(f.id)).failure_reason).toBe('zero-byte file');
    await service.recordFailure({ fileId: g.id, contentHash: g.contentHash }, 'Error: database went away');
    expect(await meta(g.id)).toMatchObject({
      status: 'failed',
      failure_kind: 'error',
      failure_reason: 'Error: database went away',
    });
  });

  describe('companions', () => {
    const links = async (dirKey: Buffer) =>
      (
        await db.dataSource.query(
          `SELECT c.name AS companion, m.name AS media, l.reason FROM companion_links l
             JOIN files c ON c.id = l.companion_file_id JOIN files m ON m.id = l.media_file_id
            WHERE l.dir_key = $1 ORDER BY 1, 2`,
          [dirKey],
        )
      ).map((r: { companion: string; media: string; reason: string }) => `${r.companion} → ${r.media} (${r.reason})`);
    const content = async (id: string) =>
      (await db.dataSource.query(`SELECT * FROM companion_contents WHERE file_id = $1`, [id]))[0];

    it('parses a Windows-1252 cue sheet and a CP437 nfo, and links them whichever arrives first', async () => {
      const dir = folder('Live @ Café');
      const cue = [
        'REM GENRE "Deep House"',
        'REM DATE 2019',
        'PERFORMER "Âme – Live"',
        'TITLE "Live @ Café d’Anvers"',
        'FILE "Live @ Café d’Anvers.wav" WAVE',
        '  TRACK 01 AUDIO',
        '    TITLE "Intro – Ça commence"',
        '    PERFORMER "Âme"',
        '    INDEX 01 00:00:00',
        '  TRACK 02 AUDIO',
        '    TITLE "Rej"',
        '    PERFORMER "Âme"',
        '    INDEX 01 125:30:37',
      ].join('\r\n');
      writeFileSync(path.join(dir, 'mix.cue'), iconv.encode(cue, 'win1252'));
      const nfo = [
        '╔══════════════════╗',
        '║  ░▒▓ RELEASE ▓▒░  ║',
        '╚══════════════════╝',
        '',
        'Artist: Röyksopp',
        'Title : Süßer Tag',
        'Label : Wall of Sound',
      ].join('\r\n');
      writeFileSync(path.join(dir, 'release.nfo'), iconv.encode(nfo, 'cp437'));
      writeFileSync(path.join(dir, 'folder.jpg'), readFileSync(fx.cover()));

      // Companions first (ingest recorded them in an earlier batch): nothing to link to yet.
      const companions = await recordFiles(db.dataSource, [
        path.join(dir, 'mix.cue'),
        path.join(dir, 'release.nfo'),
        path.join(dir, 'folder.jpg'),
      ]);
      for (const c of companions) await expect(process(c)).resolves.toEqual({ outcome: 'completed' });
      expect(await links(companions[0].dirKey)).toEqual([]);

      const cueRow = await content(companions[0].id);
      expect(cueRow).toMatchObject({ status: 'parsed', companion_type: 'cue', encoding: 'windows-1252' });
      expect(cueRow.parsed).toMatchObject({
        performer: 'Âme – Live',
        title: 'Live @ Café d’Anvers',
        genre: 'Deep House',
        year: 2019,
      });
      expect(cueRow.parsed.files).toEqual([{ name: 'Live @ Café d’Anvers.wav', type: 'WAVE' }]);
      expect(cueRow.parsed.tracks.map((t: { title: string; startSec: number }) => [t.title, t.startSec])).toEqual([
        ['Intro – Ça commence', 0],
        ['Rej', 7530.493], // 125:30:37 (75 frames a second), to the millisecond
      ]);
      const nfoRow = await content(companions[1].id);
      expect(nfoRow).toMatchObject({ status: 'parsed', companion_type: 'nfo', encoding: 'cp437' });
      expect(nfoRow.text).toContain('Artist: Röyksopp');
      expect(nfoRow.text).not.toMatch(/[╔═║░▒▓╚]/);
      expect(nfoRow.parsed.fields).toMatchObject({ artist: 'Röyksopp', title: 'Süßer Tag', label: 'Wall of Sound' });
      expect((await content(companions[2].id)).companion_type).toBe('image');

      // Then the media: the folder is relinked as each one is processed.
      const media = await recordFiles(db.dataSource, [
        fx.tone(path.join('Live @ Café', 'Live @ Café d’Anvers.mp3'), { args: ['-c:a', 'libmp3lame'] }),
        fx.tone(path.join('Live @ Café', 'Bonus.flac'), { args: ['-c:a', 'flac'] }),
      ]);
      await process(media[0]);
      await process(media[1]);
      expect(await links(companions[0].dirKey)).toEqual([
        'folder.jpg → Bonus.flac (folder)',
        'folder.jpg → Live @ Café d’Anvers.mp3 (folder)',
        'mix.cue → Live @ Café d’Anvers.mp3 (cue-file)',
        'release.nfo → Bonus.flac (folder)',
        'release.nfo → Live @ Café d’Anvers.mp3 (folder)',
      ]);
      // Reprocessing any file of the folder gives the same links.
      await process(companions[1]);
      expect(await links(companions[0].dirKey)).toHaveLength(5);
      // An unchanged folder is not relinked at all.
      expect(await service.relinkFolder(companions[0].dirKey)).toBeNull();
      // A second unmatched .nfo: neither is the folder's lone one any more, so their folder links go.
      const [extra] = await recordFiles(db.dataSource, [fx.write(path.join('Live @ Café', 'extra.nfo'), 'Notes')]);
      await process(extra);
      expect(await links(companions[0].dirKey)).toEqual([
        'folder.jpg → Bonus.flac (folder)',
        'folder.jpg → Live @ Café d’Anvers.mp3 (folder)',
        'mix.cue → Live @ Café d’Anvers.mp3 (cue-file)',
      ]);
    });

    it('links a same-name companion to its media file alone and parses playlists and checksum lists', async () => {
      const dir = folder('Album');
      writeFileSync(path.join(dir, '01 One.txt'), Buffer.from('\ufeffLiner notes for one', 'utf16le'));
      writeFileSync(path.join(dir, 'album.m3u'), '#EXTM3U\n#EXTINF:3,Band - One\n01 One.mp3\n02 Two.mp3\n');
      writeFileSync(path.join(dir, 'album.sfv'), '; crc list\n01 One.mp3 0badc0de\n02 Two.mp3 12345678\n');
      const rows = await recordFiles(db.dataSource, [
        fx.tone(path.join('Album', '01 One.mp3'), { args: ['-c:a', 'libmp3lame'] }),
        fx.tone(path.join('Album', '02 Two.mp3'), { args: ['-c:a', 'libmp3lame'] }),
        path.join(dir, '01 One.txt'),
        path.join(dir, 'album.m3u'),
        path.join(dir, 'album.sfv'),
      ]);
      for (const r of [...rows].reverse()) await process(r);
      expect(await links(rows[0].dirKey)).toEqual([
        '01 One.txt → 01 One.mp3 (same-name)',
        'album.m3u → 01 One.mp3 (folder)',
        'album.m3u → 02 Two.mp3 (folder)',
        'album.sfv → 01 One.mp3 (folder)',
        'album.sfv → 02 Two.mp3 (folder)',
      ]);
      expect(await content(rows[2].id)).toMatchObject({
        companion_type: 'txt',
        encoding: 'utf-16le',
        text: 'Liner notes for one',
      });
      expect((await content(rows[3].id)).parsed.entries.map((e: { location: string }) => e.location)).toEqual([
        '01 One.mp3',
        '02 Two.mp3',
      ]);
      expect((await content(rows[4].id)).companion_type).toBe('checksums');
    });

    it('fails a companion that cannot be read, with the reason', async () => {
      const [gone] = await recordFiles(db.dataSource, [fx.write('vanishing.nfo', 'soon gone')]);
      require('node:fs').unlinkSync(gone.path);
      const err = await failureOf(gone);
      expect(err.reason).toMatch(/^unreadable: file not found/);
      expect(await content(gone.id)).toMatchObject({
        status: 'failed',
        companion_type: 'nfo',
        failure_reason: err.reason,
      });
    });
  });
});
