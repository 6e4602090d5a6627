import { lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { removeFolder, sha256File, tempFolder, writeFixtureFile } from '../../test/library-fixture';
import { FileIoPool } from './file-io-pool';
import { identityOf } from './file-system';

const b = (p: string) => Buffer.from(p);

/** The file workers on real files: what the protocol relies on, including how they fail. */
describe('FileIoPool (file worker threads)', () => {
  let dir: string;
  let pool: FileIoPool;
  beforeEach(() => {
    dir = tempFolder('/tmp', 'io-pool');
    pool = new FileIoPool(2);
  });
  afterEach(async () => {
    await pool.close();
    removeFolder(dir);
  });

  it('copies exclusively, keeping mode and timestamps, and hashes like sha256sum', async () => {
    const src = writeFixtureFile(path.join(dir, 'a.flac'), 5 * 1024 * 1024 + 3, 0o604);
    const identity = identityOf(lstatSync(src.path, { bigint: true }));
    const to = path.join(dir, '.part');
    const copied = await pool.copy(b(src.path), b(to), identity);
    expect(copied.bytesCopied).toBe(src.size);
    expect(sha256File(to)).toBe(src.hash);
    expect(statSync(to).mode & 0o7777).toBe(0o604);
    // Kept to the microsecond (futimes takes seconds as a double), as the protocol's medium test checks.
    expect(Math.abs(statSync(to).mtimeMs - statSync(src.path).mtimeMs)).toBeLessThan(0.001);
    expect(copied.ino).toBe(String(lstatSync(to).ino));
    expect(await pool.sha256(b(to), src.size)).toEqual({ hash: src.hash, size: src.size });
    expect(await pool.sha256(b(to))).toEqual({ hash: src.hash, size: src.size });

    // Never over an existing name; the error keeps its errno code for failureFrom().
    await expect(pool.copy(b(src.path), b(to), identity)).rejects.toMatchObject({ code: 'EEXIST' });
    // A source that is no longer the recorded file is not copied.
    await expect(
      pool.copy(b(src.path), b(path.join(dir, '.other')), { ...identity, mtimeMs: identity.mtimeMs + 1 }),
    ).rejects.toMatchObject({ code: 'SOURCE_CHANGED' });
    await expect(pool.copy(b(path.join(dir, 'gone.flac')), b(path.join(dir, '.x')), identity)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dir).sort()).toEqual(['.part', 'a.flac']);
  });

  it("looks at an operation's paths in one go: source, destination, the folders still missing", async () => {
    const src = writeFixtureFile(path.join(dir, 'in', 'a.mp3'), 1000);
    mkdirSync(path.join(dir, 'out'));
    const looks = await pool.look(b(src.path), b(path.join(dir, 'out', 'Artist', 'Album', 'a.mp3')));
    expect(looks.src).toMatchObject({ ino: src.ino, size: 1000, isFile: true });
    expect(looks.dst).toBeNull();
    expect(looks.missing.map(String)).toEqual([
      path.join(dir, 'out', 'Artist'),
      path.join(dir, 'out', 'Artist', 'Album'),
    ]);
    expect(looks.dev).toBe(String(statSync(dir).dev));
    writeFileSync(path.join(dir, 'out', 'taken.mp3'), 'x');
    const taken = await pool.look(b(src.path), b(path.join(dir, 'out', 'taken.mp3')));
    expect(taken.dst).toMatchObject({ size: 1, isFile: true });
    expect(taken.missing).toEqual([]);
    expect(await pool.lookAt(b(path.join(dir, 'nothing')))).toBeNull();
  });

  it('runs a group of small steps over the workers, each with its own result or error', async () => {
    const a = writeFixtureFile(path.join(dir, 'a.flac'), 1000);
    writeFileSync(path.join(dir, '.crateflow-1.part'), 'copy');
    const steps = await pool.many([
      { do: 'lstat', path: b(a.path) },
      { do: 'lstat', path: b(path.join(dir, 'nothing')) },
      { do: 'claim', from: b(a.path), to: b(path.join(dir, 'out', 'Artist', 'a.flac')), ensureParents: true },
      { do: 'claim', from: b(a.path), to: b(a.path), ensureParents: false },
      { do: 'publish', from: b(path.join(dir, '.crateflow-1.part')), to: b(path.join(dir, 'out', 'b.flac')) },
      { do: 'unlink', path: b(path.join(dir, 'nothing')) },
      { do: 'fsync-dir', path: b(dir) },
    ]);
    expect(steps[0].value).toMatchObject({ ino: a.ino, size: 1000 });
    expect(steps[1]).toEqual({ value: null });
    expect(steps[2]).toEqual({ value: true });
    expect(String(lstatSync(path.join(dir, 'out', 'Artist', 'a.flac')).ino)).toBe(a.ino);
    // Never over an existing name; errors keep their errno code for failureFrom().
    expect(steps[3].error).toMatchObject({ code: 'EEXIST', linked: false });
    expect(steps[4]).toEqual({ value: true });
    expect(readdirSync(dir).sort()).toEqual(['a.flac', 'out']); // the temporary name was dropped
    expect(steps[5].error).toMatchObject({ code: 'ENOENT' });
    expect(steps[6]).toEqual({ value: true });
  });

  it('sends a long queue a few jobs per message, every job still answered on its own', async () => {
    const files = Array.from({ length: 40 }, (_, i) => writeFixtureFile(path.join(dir, `${i}.flac`), 1000 + i));
    const hashes = await Promise.all(
      [...files, { path: path.join(dir, 'gone.flac'), size: 1 }].map((f) =>
        pool.sha256(b(f.path), f.size).catch((e: NodeJS.ErrnoException) => e.code),
      ),
    );
    expect(hashes).toEqual([...files.map((f) => ({ hash: f.hash, size: f.size })), 'ENOENT']);
  });

  it('pauses a copy at its mid-copy point until the hook has run, and fails copies once stopped', async () => {
    const stop = new AbortController();
    const stoppable = new FileIoPool(1, stop.signal);
    try {
      const src = writeFixtureFile(path.join(dir, 'mix.flac'), 9 * 1024 * 1024);
      const identity = identityOf(lstatSync(src.path, { bigint: true }));
      const seen: number[] = [];
      const done = await stoppable.copy(b(src.path), b(path.join(dir, '.mid')), identity, async () => {
        seen.push(statSync(path.join(dir, '.mid')).size); // the first chunk is written, the rest not yet
        await new Promise((r) => setTimeout(r, 50));
      });
      expect(seen).toEqual([4 * 1024 * 1024]);
      expect(done.bytesCopied).toBe(src.size);
      stop.abort();
      await expect(stoppable.copy(b(src.path), b(path.join(dir, '.late')), identity)).rejects.toThrow(/stopped/);
    } finally {
      await stoppable.close();
    }
  });
});
