import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { MetadataReadError, readTags, type MetadataFailureKind, type TagReadResult } from './index';
import { ReadBudget } from './source-file';
import { FixtureDir, flacWithComments, junkId3v2Tag, noise } from './test/fixtures';

/**
 * The bad-input set: every file ends in a MetadataReadError with a kind and a readable reason, never
 * a crash or an unbounded read, and the next file is read as if nothing had happened.
 */
describe('readTags on bad input', () => {
  const fx = new FixtureDir();
  afterAll(() => fx.remove());

  const good: Record<string, Buffer> = {};
  beforeAll(() => {
    good.mp3 = readFileSync(
      fx.tone('good.mp3', { args: ['-c:a', 'libmp3lame', '-b:a', '128k'], metadata: { title: 'good' }, seconds: 20 }),
    );
    good.flac = readFileSync(
      fx.tone('good.flac', { args: ['-c:a', 'flac'], metadata: { title: 'good' }, seconds: 20 }),
    );
    good.m4a = readFileSync(fx.tone('good.m4a', { args: ['-c:a', 'aac'], metadata: { title: 'good' }, seconds: 20 }));
    good.ogg = readFileSync(
      fx.tone('good.ogg', { args: ['-c:a', 'libvorbis'], metadata: { title: 'good' }, seconds: 20 }),
    );
    good.wav = readFileSync(fx.tone('good.wav', { metadata: { title: 'good' }, seconds: 5 }));
    good.aiff = readFileSync(fx.tone('good.aiff', { metadata: { title: 'good' }, seconds: 5 }));
    good.wma = readFileSync(fx.tone('good.wma', { args: ['-c:a', 'wmav2'], metadata: { title: 'good' }, seconds: 20 }));
  });

  async function failure(file: string, options?: Parameters<typeof readTags>[1]): Promise<MetadataReadError> {
    const err = await readTags(file, options).then(
      (r) => new Error(`expected a failure, got ${JSON.stringify(r.stream)}`),
      (e: unknown) => e,
    );
    if (!(err instanceof MetadataReadError)) throw err;
    return err;
  }

  const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));

  const cases: [name: string, build: () => Buffer, kind: MetadataFailureKind, reason: RegExp][] = [
    ['empty.mp3', () => Buffer.alloc(0), 'empty', /^zero-byte file$/],
    ['noise.mp3', () => noise(300_000, 1), 'not-media', /^not an MP3 file: no MPEG audio frames/],
    ['noise.flac', () => noise(300_000, 2), 'not-media', /^not a FLAC file: no fLaC marker/],
    ['noise.m4a', () => noise(300_000, 3), 'not-media', /^not an M4A file: no 'ftyp' or 'moov' box/],
    ['noise.ogg', () => noise(300_000, 4), 'not-media', /^not an Ogg file: no OggS page header/],
    ['noise.wav', () => noise(300_000, 5), 'not-media', /^not a WAV file: no RIFF\/WAVE header/],
    ['noise.wma', () => noise(300_000, 6), 'not-media', /^not a WMA file: no ASF header/],
    ['noise.opus', () => noise(300_000, 7), 'not-media', /^not an Opus file/],
    ['zeros.mp3', () => Buffer.alloc(100_000), 'not-media', /filled with zero bytes/],
    [
      'readme.flac',
      () => Buffer.from('This is a text file that somebody named .flac\nIt has no audio in it.\n'),
      'not-media',
      /^not a FLAC file: no fLaC marker \(it starts with plain text\)$/,
    ],
    [
      'page.mp3',
      () => Buffer.from('<!DOCTYPE html><html><body>404 Not Found</body></html>'),
      'not-media',
      /it is an HTML page/,
    ],
    ['image.mp3', () => readFileSync(fx.cover()), 'not-media', /it is a JPEG image/],
    [
      'truncated.mp3',
      () => half(good.mp3),
      'truncated',
      /^truncated: the MP3 stream should be .* \(its Xing\/VBRI header says so\)/,
    ],
    ['truncated.flac', () => half(good.flac), 'truncated', /^truncated: the audio stops at 0:\d\d\.\d of 0:20\.0/],
    ['cut-in-metadata.flac', () => good.flac.subarray(0, 60), 'truncated', /^truncated: the FLAC .* block needs/],
    ['truncated.m4a', () => half(good.m4a), 'truncated', /^truncated: .*'(mdat|moov)' box/],
    [
      'truncated.ogg',
      () => good.ogg.subarray(0, good.ogg.length - 1000),
      'truncated',
      /^truncated: the last Ogg page is cut off/,
    ],
    [
      'truncated.wav',
      () => half(good.wav),
      'truncated',
      /^truncated: the audio data chunk needs .* but only .* remain/,
    ],
    ['truncated.aiff', () => half(good.aiff), 'truncated', /^truncated: /],
    ['truncated.wma', () => half(good.wma), 'truncated', /^truncated: the ASF data object needs/],
    ['tag-only.mp3', () => good.mp3.subarray(0, 10 + good.mp3.readUInt32BE(6)), 'truncated', /./],
    [
      'junk-tag-50mb.mp3',
      () => Buffer.concat([junkId3v2Tag(50 * 1024 * 1024), good.mp3]),
      'too-large',
      /^tag too large: the ID3v2 tag is 50\.0 MiB, more than the 32\.0 MiB/,
    ],
    [
      'cut-tag.mp3',
      () => junkId3v2Tag(1024 * 1024).subarray(0, 5000),
      'truncated',
      /^truncated: the ID3v2 tag says it is 1\.0 MiB but the file holds only/,
    ],
  ];

  it.each(cases)('%s fails with a readable reason', async (name, build, kind, reason) => {
    const file = fx.write(name, build());
    const started = Date.now();
    const err = await failure(file);
    expect({ kind: err.kind, reason: err.reason }).toEqual({ kind, reason: expect.stringMatching(reason) });
    expect(err.message).toBe(err.reason);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps reading the next files after each failure', async () => {
    const names = cases.map(([name, build]) => fx.write(`batch-${name}`, build()));
    const goodFile = fx.write('batch-good.flac', good.flac);
    const order = names.flatMap((n) => [n, goodFile]);
    const outcomes: (TagReadResult | MetadataReadError)[] = [];
    for (const file of order) outcomes.push(await readTags(file).catch((e: MetadataReadError) => e));
    outcomes.forEach((o, i) => {
      if (i % 2 === 0) expect(o).toBeInstanceOf(MetadataReadError);
      else expect((o as TagReadResult).tags.title).toBe('good');
    });
  });

  it('stops at the byte limit instead of loading a huge tag', async () => {
    const big = flacWithComments(good.flac, [['COMMENT', 'x'.repeat(3 * 1024 * 1024)]]);
    const err = await failure(fx.write('big-comment.flac', big), { maxBytes: 1024 * 1024 });
    expect(err.kind).toBe('too-large');
    expect(err.reason).toMatch(/more than the 1\.0 MiB allowed per file/);
  });

  it('reports files the system will not let us read', async () => {
    expect((await failure(fx.path('does-not-exist.mp3'))).reason).toBe(
      'unreadable: file not found (it was moved or deleted after the scan)',
    );
    mkdirSync(fx.path('folder.mp3'));
    expect((await failure(fx.path('folder.mp3'))).reason).toBe('unreadable: this is a folder, not a file');
    execFileSync('mkfifo', [fx.path('pipe.mp3')]);
    expect((await failure(fx.path('pipe.mp3'))).reason).toBe(
      'unreadable: not a regular file (a device, pipe or socket)',
    );
  });

  it('reads a file whose name is not valid UTF-8', async () => {
    const name = Buffer.concat([Buffer.from(`${fx.dir}/caf`), Buffer.from([0xe9]), Buffer.from('.flac')]);
    copyFileSync(fx.path('good.flac'), name);
    const r = await readTags(name);
    expect(r.tags.title).toBe('good');
  });
});

describe('ReadBudget', () => {
  afterEach(() => jest.useRealTimers());

  it('refuses reads past the byte limit', () => {
    const budget = new ReadBudget(100, 10_000);
    budget.charge(60);
    expect(() => budget.charge(41)).toThrow(MetadataReadError);
    expect(budget.bytesRead).toBe(60);
  });

  it('refuses reads after the deadline with a timeout that may be retried', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const budget = new ReadBudget(1000, 2000);
    budget.charge(1);
    jest.setSystemTime(1_000_000 + 2001);
    let err: unknown;
    try {
      budget.charge(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MetadataReadError);
    expect((err as MetadataReadError).kind).toBe('timeout');
    expect((err as MetadataReadError).transient).toBe(true);
    expect((err as MetadataReadError).reason).toBe('timed out: reading the tags took longer than 2.0 s');
  });
});
