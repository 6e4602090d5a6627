import * as path from 'node:path';
import { MetadataReadError, TagReaderPool, readTags } from './index';
import { FixtureDir } from './test/fixtures';

/** Stand-in workers that misbehave on purpose. */
const worker = (name: string) => path.join(__dirname, 'test', 'workers', `${name}.ts`);

async function failure(promise: Promise<unknown>): Promise<MetadataReadError> {
  const err = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(err instanceof MetadataReadError)) throw err;
  return err;
}

describe('TagReaderPool', () => {
  const fx = new FixtureDir();
  let files: string[];
  beforeAll(() => {
    files = [
      fx.tone('a.flac', { args: ['-c:a', 'flac'], metadata: { title: 'Flac One', artist: 'Björk' } }),
      fx.tone('b.mp3', { args: ['-c:a', 'libmp3lame'], metadata: { title: 'Mp3 Two', artist: '東京' } }),
      fx.tone('c.ogg', { args: ['-c:a', 'libvorbis'], metadata: { title: 'Ogg Three' } }),
      fx.write('empty.m4a', Buffer.alloc(0)),
    ];
  });
  afterAll(() => fx.remove());

  it('reads on worker threads exactly what readTags reads in this thread', async () => {
    const pool = new TagReaderPool({ workers: 2 });
    try {
      const [a, b, c] = await Promise.all(files.slice(0, 3).map((f) => pool.read(f)));
      expect(a).toEqual(await readTags(files[0]));
      expect(b).toEqual(await readTags(files[1]));
      expect(c.tags.title).toBe('Ogg Three');
      const err = await failure(pool.read(files[3]));
      expect({ kind: err.kind, reason: err.reason }).toEqual({ kind: 'empty', reason: 'zero-byte file' });
      expect((await pool.read(Buffer.from(files[0]))).tags.artist).toBe('Björk');
    } finally {
      await pool.close();
    }
  });

  it('terminates a worker that stays silent past the time limit, fails the file with timeout, and goes on', async () => {
    const pool = new TagReaderPool({ workers: 1, timeoutMs: 300, graceMs: 100, entry: worker('hang') });
    try {
      const started = Date.now();
      const err = await failure(pool.read(files[0]));
      expect(err.kind).toBe('timeout');
      expect(err.reason).toBe('timed out: reading the tags took longer than 0.3 s');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await failure(pool.read(files[1]))).kind).toBe('timeout');
    } finally {
      await pool.close();
    }
  });

  it('fails the file when its worker dies, and replaces the worker', async () => {
    const pool = new TagReaderPool({ workers: 1, entry: worker('exit') });
    try {
      const err = await failure(pool.read(files[0]));
      expect(err.kind).toBe('corrupt');
      expect(err.reason).toMatch(/^corrupt: the tag reader crashed on this file/);
    } finally {
      await pool.close();
    }
  });

  it('gives files handed in advance to a dead worker to the next worker instead of failing them', async () => {
    const poison = fx.write('poison.flac', fx.read('a.flac'));
    const pool = new TagReaderPool({ workers: 1, prefetch: 4, entry: worker('exit-on-poison') });
    try {
      const results = await Promise.allSettled([files[0], poison, files[1], files[2]].map((f) => pool.read(f)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ kind: 'corrupt' });
      expect((results[3] as PromiseFulfilledResult<{ tags: { title: string } }>).value.tags.title).toBe('Ogg Three');
    } finally {
      await pool.close();
    }
  });

  it('fails a file that makes the reader run out of memory with too-large', async () => {
    const pool = new TagReaderPool({ workers: 1, maxMemoryMb: 64, entry: worker('oom') });
    try {
      const err = await failure(pool.read(files[0]));
      expect(err.kind).toBe('too-large');
      expect(err.reason).toMatch(/more than the 64 MiB of memory/);
    } finally {
      await pool.close();
    }
  });

  it('stops respawning workers that cannot start and says why', async () => {
    const pool = new TagReaderPool({ workers: 1, entry: worker('throw-on-load') });
    try {
      const reads = [pool.read(files[0]), pool.read(files[1]), pool.read(files[2]), pool.read(files[0])];
      const errors = await Promise.all(
        reads.map((r) =>
          r.then(
            () => null,
            (e: Error) => e,
          ),
        ),
      );
      expect(errors.every((e) => e instanceof Error)).toBe(true);
      await expect(pool.read(files[0])).rejects.toThrow(/the tag reader workers do not start/);
    } finally {
      await pool.close();
    }
  });

  it('rejects reads after close', async () => {
    const pool = new TagReaderPool({ workers: 1 });
    await pool.close();
    await expect(pool.read(files[0])).rejects.toThrow('the tag reader pool is closed');
  });
});
