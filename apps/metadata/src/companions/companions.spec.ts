import * as iconv from 'iconv-lite';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  decodeText,
  linkCompanions,
  parseCueSheet,
  parseCueTime,
  parseM3u,
  parseMd5,
  parsePls,
  parseSfv,
  readCompanion,
  readTextCompanion,
  stripArt,
} from './index';

const CUE_1252 = [
  'REM GENRE "Deep House"',
  'REM DATE 2019-07-14',
  'REM COMMENT "ExactAudioCopy v1.3"',
  'PERFORMER "Âme & Dixon"',
  'TITLE "Live at Café d\'Anvers"',
  'FILE "Âme - Café d\'Anvers.mp3" MP3',
  '  TRACK 01 AUDIO',
  '    TITLE "Rej"',
  '    PERFORMER "Âme"',
  '    INDEX 01 00:00:00',
  '  TRACK 02 AUDIO',
  '    TITLE "Für Elise (Ñandú Remix)"',
  '    PERFORMER "Måns Zelmerlöw"',
  '    ISRC DEUM71234567',
  '    INDEX 00 05:30:00',
  '    INDEX 01 05:32:37',
  'this line is not a cue command',
  '  TRACK xx AUDIO',
  '  TRACK 03 AUDIO',
  '    TITLE Unquoted Title With Spaces',
  '    PERFORMER "Dixon"',
  '    INDEX 01 125:07:74',
  '    INDEX 01 bad',
].join('\r\n');

describe('cue sheets', () => {
  it('parses a Windows-1252 sheet with CRLF, accents, REM fields, files and tracks, skipping bad lines', () => {
    const bytes = iconv.encode(CUE_1252, 'win1252');
    expect(bytes.includes(Buffer.from('Âme', 'utf8'))).toBe(false); // really single-byte
    const sheet = parseCueSheet(bytes);
    expect(sheet.encoding).toBe('windows-1252');
    expect(sheet).toMatchObject({
      performer: 'Âme & Dixon',
      title: "Live at Café d'Anvers",
      genre: 'Deep House',
      date: '2019-07-14',
      year: 2019,
      comment: 'ExactAudioCopy v1.3',
      files: [{ name: "Âme - Café d'Anvers.mp3", type: 'MP3' }],
    });
    expect(sheet.tracks).toEqual([
      {
        number: 1,
        type: 'AUDIO',
        performer: 'Âme',
        title: 'Rej',
        isrc: null,
        startSec: 0,
        pregapSec: null,
        file: "Âme - Café d'Anvers.mp3",
      },
      {
        number: 2,
        type: 'AUDIO',
        performer: 'Måns Zelmerlöw',
        title: 'Für Elise (Ñandú Remix)',
        isrc: 'DEUM71234567',
        startSec: 332.493,
        pregapSec: 330,
        file: "Âme - Café d'Anvers.mp3",
      },
      {
        number: 3,
        type: 'AUDIO',
        performer: 'Dixon',
        title: 'Unquoted Title With Spaces',
        isrc: null,
        startSec: 7507.987,
        pregapSec: null,
        file: "Âme - Café d'Anvers.mp3",
      },
    ]);
    expect(sheet.warnings).toEqual([
      'line 17: unknown command "this"',
      'line 18: TRACK with a bad number "xx"',
      'line 23: INDEX with a bad time "01 bad"',
    ]);
  });

  it('reads UTF-8 with a BOM and UTF-16 sheets, and several FILE entries', () => {
    const text =
      'PERFORMER "東京 Collective"\nFILE "side a.flac" WAVE\nTRACK 1 AUDIO\nINDEX 01 00:00:00\nFILE "side b.flac" WAVE\nTRACK 2 AUDIO\nINDEX 01 00:00:00\n';
    const utf8 = parseCueSheet(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(utf8.performer).toBe('東京 Collective');
    expect(utf8.tracks.map((t) => t.file)).toEqual(['side a.flac', 'side b.flac']);
    const utf16 = parseCueSheet(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(utf16.encoding).toBe('utf-16le');
    expect(utf16.files).toEqual(utf8.files);
  });

  it('converts INDEX times at 75 frames per second', () => {
    expect(parseCueTime('00:00:00')).toBe(0);
    expect(parseCueTime('01:02:75')).toBeNull();
    expect(parseCueTime('03:15:50')).toBeCloseTo(195.667, 3);
    expect(parseCueTime('240:00:00')).toBe(14400);
    expect(parseCueTime('12:34')).toBe(754);
    expect(parseCueTime('1:60:00')).toBeNull();
  });

  it('never throws on junk', () => {
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from([0, 0, 0xff, 0xfe, 0x41]),
      Buffer.from('"""\n\tTRACK\nINDEX 01 00:00:00\nFILE\n'),
    ]) {
      expect(() => parseCueSheet(junk)).not.toThrow();
    }
  });
});

const NFO_ART = [
  '╔══════════════════════════════════════════╗',
  '║ ░▒▓█  S C E N E   G R O U P  █▓▒░       ║',
  '╚══════════════════════════════════════════╝',
  '      _____ _____ _____',
  '     |  _  |   __|   __|',
  '     |     |  |  |   __|',
  '     |__|__|_____|_____|',
  '',
  '  Artist......: Röyksopp',
  '  Title.......: Rej (Remastered)',
  '  Label.......: Sonar Kollektiv',
  '  Cat.Nr......: SK123',
  '  Genre.......: Deep House',
  '  Release Date: 2019-07-14',
  '  Source......: WEB',
  '',
  '  ■ Tracklist ■',
  '  01. Röyksopp - Rej (Original Mix)     (7:45)',
  '  02. Röyksopp & Dixon - Rej (Edit)     (8:12)',
  '',
  '──────────────── greets to all ─────────────────',
].join('\r\n');

describe('.nfo and .txt files', () => {
  it('decodes CP437 art, strips it, and picks out fields and the tracklist', () => {
    const bytes = iconv.encode(NFO_ART, 'cp437');
    expect(iconv.decode(bytes, 'cp437')).toBe(NFO_ART); // every character exists in CP437
    const nfo = readTextCompanion(bytes, { format: 'nfo' });
    expect(nfo.encoding).toBe('cp437');
    expect(nfo.text).not.toMatch(/[═║░▒▓█■─|_]/);
    expect(nfo.text).toContain('S C E N E G R O U P');
    expect(nfo.fields).toEqual({
      artist: 'Röyksopp',
      title: 'Rej (Remastered)',
      album: null,
      label: 'Sonar Kollektiv',
      date: '2019-07-14',
      year: 2019,
      genre: 'Deep House',
      catalog: 'SK123',
      source: 'WEB',
    });
    expect(nfo.tracklist).toEqual([
      { position: 1, startSec: null, artist: 'Röyksopp', title: 'Rej (Original Mix)', durationSec: 465 },
      { position: 2, startSec: null, artist: 'Röyksopp & Dixon', title: 'Rej (Edit)', durationSec: 492 },
    ]);
  });

  it('reads a UTF-16 LE text file with a BOM (a Windows tracklist) with cue times', () => {
    const text =
      'Recorded live at Tresor, Berlin\r\nDJ: Ben Klock\r\nDate: 2012-03-10\r\n\r\n[00:00] Ben Klock - Subzero\r\n[06:45] Marcel Dettmann – Translation One\r\n[1:02:03] Function - Disaster Area\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const txt = readTextCompanion(bytes, { format: 'txt' });
    expect(txt.encoding).toBe('utf-16le');
    expect(txt.fields).toMatchObject({ artist: 'Ben Klock', date: '2012-03-10', year: 2012 });
    expect(txt.tracklist).toEqual([
      { position: null, startSec: 0, artist: 'Ben Klock', title: 'Subzero', durationSec: null },
      { position: null, startSec: 405, artist: 'Marcel Dettmann', title: 'Translation One', durationSec: null },
      { position: null, startSec: 3723, artist: 'Function', title: 'Disaster Area', durationSec: null },
    ]);
  });

  it('decodes every encoding it may meet', () => {
    const s = 'Björk – Café ☕';
    expect(decodeText(Buffer.from(s, 'utf8'))).toMatchObject({ text: s, encoding: 'utf-8', bom: false });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]))).toMatchObject({
      text: s,
      bom: true,
    });
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]))).toMatchObject({
      text: s,
      encoding: 'utf-16be',
    });
    expect(decodeText(Buffer.from('plain ascii text, no BOM', 'utf16le'))).toMatchObject({
      text: 'plain ascii text, no BOM',
      encoding: 'utf-16le',
    });
    expect(decodeText(iconv.encode('Björk – Café “live”', 'win1252'))).toMatchObject({
      text: 'Björk – Café “live”',
      encoding: 'windows-1252',
    });
    expect(decodeText(iconv.encode('Søren Ærø', 'latin1'))).toMatchObject({ text: 'Søren Ærø' });
    expect(decodeText(iconv.encode('Grüße aus Köln, très belle année', 'win1252'), { prefer: 'cp437' })).toMatchObject({
      encoding: 'windows-1252',
    });
  });

  it('treats a UTF-8 sequence cut by the read limit as UTF-8', () => {
    const bytes = Buffer.from('Café 東京', 'utf8');
    expect(decodeText(bytes.subarray(0, bytes.length - 1))).toMatchObject({ encoding: 'utf-8', text: 'Café 東' });
  });

  it('keeps lines with words and drops pure decoration', () => {
    expect(stripArt('-=-=-=-=-=-\nHello  world\n*****\n\n\nBye')).toBe('Hello world\n\nBye');
  });

  it('strips control characters and caps what it keeps', () => {
    const big = Buffer.from(`Artist: X\u0007\u001b[2J\n${'blah '.repeat(40_000)}`);
    const txt = readTextCompanion(big, { format: 'txt' });
    expect(txt.fields.artist).toBe('X[2J');
    expect(txt.text.length).toBeLessThanOrEqual(64 * 1024);
    expect(txt.truncated).toBe(true);
  });
});

describe('playlists and checksum lists', () => {
  it('reads extended M3U and M3U8', () => {
    const m3u =
      '#EXTM3U\r\n#EXTINF:332,Âme - Rej\r\nRej.mp3\r\n#EXTINF:-1,Stream\r\nhttp://example.org/live\r\nplain.flac\r\n';
    expect(parseM3u(iconv.encode(m3u, 'win1252')).entries).toEqual([
      { location: 'Rej.mp3', title: 'Âme - Rej', durationSec: 332 },
      { location: 'http://example.org/live', title: 'Stream', durationSec: null },
      { location: 'plain.flac', title: null, durationSec: null },
    ]);
    expect(parseM3u(Buffer.from('#EXTM3U\n#EXTINF:10,東京\n東京.flac\n'), true).entries[0]).toEqual({
      location: '東京.flac',
      title: '東京',
      durationSec: 10,
    });
  });

  it('reads PLS in index order', () => {
    const pls = '[playlist]\nFile2=b.mp3\nTitle2=Bee\nFile1=a.mp3\nLength1=61\nNumberOfEntries=2\nVersion=2\n';
    expect(parsePls(Buffer.from(pls)).entries).toEqual([
      { location: 'a.mp3', title: null, durationSec: 61 },
      { location: 'b.mp3', title: 'Bee', durationSec: null },
    ]);
  });

  it('reads SFV and both MD5 formats', () => {
    expect(parseSfv(Buffer.from('; generated by foo\n01 - Intro.mp3 1A2B3C4D\nbad line\n')).entries).toEqual([
      { fileName: '01 - Intro.mp3', checksum: '1a2b3c4d' },
    ]);
    const md5 =
      'd41d8cd98f00b204e9800998ecf8427e  a b.flac\nD41D8CD98F00B204E9800998ECF8427E *c.flac\nMD5 (d.flac) = d41d8cd98f00b204e9800998ecf8427e\n';
    expect(parseMd5(Buffer.from(md5)).entries.map((e) => e.fileName)).toEqual(['a b.flac', 'c.flac', 'd.flac']);
  });
});

describe('linkCompanions', () => {
  it('links same-name companions to their file alone, case-insensitively', () => {
    const links = linkCompanions(['Set.MP3', 'set.cue', 'other.mp3', 'SET.nfo', 'set.mp3.txt']);
    expect(links).toEqual([
      { companion: 'SET.nfo', media: ['Set.MP3'], rule: 'same-name' },
      { companion: 'set.cue', media: ['Set.MP3'], rule: 'same-name' },
      { companion: 'set.mp3.txt', media: ['Set.MP3'], rule: 'same-name' },
    ]);
  });

  it('links folder-level companions to every media file', () => {
    const links = linkCompanions([
      '01 a.flac',
      '02 b.flac',
      'cover.jpg',
      'folder.JPG',
      'release.nfo',
      'release.sfv',
      'album.m3u',
      'checksums.md5',
      'clip.mkv',
    ]);
    for (const link of links)
      expect(link).toMatchObject({ rule: 'folder', media: ['01 a.flac', '02 b.flac', 'clip.mkv'] });
    expect(links.map((l) => l.companion)).toEqual([
      'album.m3u',
      'checksums.md5',
      'cover.jpg',
      'folder.JPG',
      'release.nfo',
      'release.sfv',
    ]);
  });

  it('links a cue sheet to the media file its FILE line names, also after re-encoding', () => {
    const links = linkCompanions(['mix.cue', 'Live Set 2019.flac', 'other.flac'], {
      cueFiles: { 'mix.cue': ['C:\\rips\\Live Set 2019.wav'] },
    });
    expect(links).toEqual([{ companion: 'mix.cue', media: ['Live Set 2019.flac'], rule: 'cue-file' }]);
  });

  it('leaves ambiguous companions unlinked and links nothing in a folder without media', () => {
    expect(linkCompanions(['a.mp3', 'b.mp3', 'one.nfo', 'two.nfo', 'notes.cue'])).toEqual([
      { companion: 'notes.cue', media: [], rule: 'none' },
      { companion: 'one.nfo', media: [], rule: 'none' },
      { companion: 'two.nfo', media: [], rule: 'none' },
    ]);
    expect(linkCompanions(['cover.jpg', 'info.nfo'])).toEqual([
      { companion: 'cover.jpg', media: [], rule: 'none' },
      { companion: 'info.nfo', media: [], rule: 'none' },
    ]);
  });

  it('links an unmatched cue sheet when the folder holds a single media file, and matches NFD names', () => {
    expect(linkCompanions(['recording.wav', 'tracklist.cue'])).toEqual([
      { companion: 'tracklist.cue', media: ['recording.wav'], rule: 'folder' },
    ]);
    expect(linkCompanions(['Bjo\u0308rk.mp3', 'Björk.cue'])[0]).toMatchObject({
      rule: 'same-name',
      media: ['Bjo\u0308rk.mp3'],
    });
  });
});

describe('readCompanion on real files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-companions-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses each kind from disk and links a cue and an nfo in odd encodings', async () => {
    writeFileSync(path.join(dir, 'set.cue'), iconv.encode(CUE_1252, 'win1252'));
    writeFileSync(path.join(dir, 'release.nfo'), iconv.encode(NFO_ART, 'cp437'));
    writeFileSync(path.join(dir, 'set.mp3'), Buffer.alloc(0));
    const cue = await readCompanion(path.join(dir, 'set.cue'));
    expect(cue).toMatchObject({ type: 'cue', inputTruncated: false, cue: { performer: 'Âme & Dixon' } });
    const nfo = await readCompanion(path.join(dir, 'release.nfo'));
    expect(nfo).toMatchObject({
      type: 'text',
      format: 'nfo',
      text: { fields: { artist: 'Röyksopp', label: 'Sonar Kollektiv' } },
    });
    const cueFiles: Record<string, string[]> =
      cue.type === 'cue' ? { 'set.cue': cue.cue.files.map((f) => f.name) } : {};
    expect(linkCompanions(['set.cue', 'release.nfo', 'set.mp3'], { cueFiles })).toEqual([
      { companion: 'release.nfo', media: ['set.mp3'], rule: 'folder' },
      { companion: 'set.cue', media: ['set.mp3'], rule: 'same-name' },
    ]);
  });

  it('reads only the first 256 KiB of a large text file and says so', async () => {
    writeFileSync(path.join(dir, 'huge.txt'), `Artist: Big\n${'x'.repeat(1024 * 1024)}`);
    const r = await readCompanion(path.join(dir, 'huge.txt'));
    expect(r).toMatchObject({ type: 'text', text: { truncated: true, fields: { artist: 'Big' } } });
  });

  it('reads cover sizes from image headers', async () => {
    for (const ext of ['jpg', 'png', 'gif']) {
      const file = path.join(dir, `cover.${ext}`);
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'color=c=blue:s=40x30',
        '-frames:v',
        '1',
        file,
      ]);
      expect(await readCompanion(file)).toMatchObject({
        type: 'image',
        image: { format: ext === 'jpg' ? 'jpeg' : ext, width: 40, height: 30 },
      });
    }
  });

  it('gives a readable error for a missing file and for a name that is no companion', async () => {
    await expect(readCompanion(path.join(dir, 'missing.cue'))).rejects.toThrow('unreadable: file not found');
    await expect(readCompanion(path.join(dir, 'song.mp3'))).rejects.toThrow('not a companion file');
    execFileSync('mkfifo', [path.join(dir, 'pipe.nfo')]);
    await expect(readCompanion(path.join(dir, 'pipe.nfo'))).rejects.toThrow('unreadable: not a regular file');
  });
});
