import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
  closeSync,
  utimesSync,
} from 'node:fs';
import * as path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { JournalRepository } from '../journal/journal.repository';
import type { JournalOperation, NewOperation } from '../journal/operation';
import { undoOperationsFor } from '../runs/undo-planner';
import {
  checkExactlyOnce,
  exists,
  leftovers,
  operationFor,
  removeFolder,
  sha256File,
  tempFolder,
  writeFixtureFile,
} from '../../test/library-fixture';
import type { ProtocolHooks } from './fault-hooks';
import { FileProtocol, tempNameFor } from './file-protocol';
import { differsOnlyInCase } from './path-bytes';

// Two filesystems: the disk (/tmp) and tmpfs (/dev/shm), so both the link and the copy paths run for real.
const DISK = '/tmp';
const TMPFS = '/dev/shm';

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real case-insensitive filesystem: exFAT through FUSE (exfat-fuse) on a loop device holding a 64 MiB
 * image. The kernel here has neither casefold ext4 nor vfat, so this is the one way to get one. It needs
 * root, /dev/fuse, a free loop device and the exfatprogs and exfat-fuse packages; without them the tests
 * that need it are skipped, each saying why (an environment capability, checked at collection).
 */
function mountCaseInsensitive(): { dir: string; unmount: () => void } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'needs root to attach a loop device and mount' };
  if (!existsSync('/dev/fuse')) return { skip: 'no /dev/fuse' };
  for (const tool of ['losetup', 'mkfs.exfat', 'mount.exfat-fuse', 'fusermount'])
    if (!commandExists(tool)) return { skip: `${tool} is missing (apt-get install exfatprogs exfat-fuse fuse)` };
  const base = tempFolder(DISK, 'exfat');
  const image = path.join(base, 'exfat.img');
  const dir = path.join(base, 'mnt');
  mkdirSync(dir);
  writeFileSync(image, '');
  truncateSync(image, 64 * 1024 * 1024);
  let loop: string | null = null;
  const unmount = () => {
    try {
      execFileSync('fusermount', ['-u', dir], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
    if (loop) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
    removeFolder(base);
  };
  try {
    loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
    execFileSync('mkfs.exfat', [loop], { stdio: 'ignore' });
    execFileSync('mount.exfat-fuse', [loop, dir], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'probe'), 'x');
    if (!existsSync(path.join(dir, 'PROBE'))) throw new Error('the exFAT mount is case-sensitive');
    rmSync(path.join(dir, 'probe'));
    return { dir, unmount };
  } catch (e) {
    unmount();
    return { skip: `an exFAT image could not be mounted through FUSE: ${(e as Error).message.split('\n')[0]}` };
  }
}

describe('the move protocol (real files, real PostgreSQL journal)', () => {
  let db: TestDatabase;
  let journal: JournalRepository;
  const folders: string[] = [];
  const folder = (base: string, label: string) => {
    const f = tempFolder(base, label);
    folders.push(f);
    return f;
  };

  beforeAll(async () => {
    db = await createTestDatabase('executor-protocol');
    journal = new JournalRepository(db.dataSource);
  });
  afterAll(async () => {
    for (const f of folders) {
      try {
        execFileSync('chattr', ['-R', '-i', f], { stdio: 'ignore' });
      } catch {
        /* not immutable */
      }
      removeFolder(f);
    }
    await db?.drop();
  });

  async function run(ops: NewOperation[], hooks?: ProtocolHooks, mode = 'move') {
    const id = await journal.createExecution({ kind: 'run', mode, operations: ops });
    const protocol = new FileProtocol(journal, { hooks });
    const loaded = await journal.operationsOf(id);
    const outcomes = [];
    for (const op of loaded) outcomes.push(await protocol.run(op));
    return { id, ops: await journal.operationsOf(id), outcomes };
  }

  const hashesOf = (ops: JournalOperation[], files: { hash: string }[]) =>
    new Map(ops.map((o, i) => [o.id, files[i].hash]));

  it('moves across filesystems: copy, fsync, verify, publish without overwriting, then remove the source', async () => {
    const src = folder(DISK, 'src');
    const dst = folder(TMPFS, 'dst');
    const files = [
      writeFixtureFile(path.join(src, 'a', 'one.flac'), 9 * 1024 * 1024 + 17, 0o604),
      writeFixtureFile(path.join(src, 'a', 'two.mp3'), 1234),
      writeFixtureFile(path.join(src, 'b', 'empty.wav'), 0),
    ];
    utimesSync(files[1].path, 1_600_000_000.123, 1_500_000_000.456);
    files[1] = { ...files[1], ...(await import('../../test/library-fixture')).recordFile(files[1].path) };
    const { ops, outcomes } = await run(
      files.map((f, i) => operationFor(f, path.join(dst, 'music', `x${i}`, path.basename(f.path)))),
    );
    expect(outcomes).toEqual(['done', 'done', 'done']);
    expect(checkExactlyOnce(ops, hashesOf(ops, files))).toEqual([]);
    for (const [i, op] of ops.entries()) {
      const st = statSync(op.destination.toString());
      expect(op.method).toBe('copy');
      expect(st.mode & 0o7777).toBe(statSyncMode(files[i]));
      expect(Math.abs(st.mtimeMs - files[i].mtimeMs)).toBeLessThan(0.001);
      expect(op.result).toMatchObject({ size: files[i].size, mtimeMs: st.mtimeMs });
    }
    expect(leftovers(dst)).toEqual([]);
    const steps: { phase: string }[] = await db.dataSource.query(
      `SELECT phase FROM execution_steps WHERE operation_id = $1 ORDER BY id`,
      [ops[0].id],
    );
    expect(steps.map((s) => s.phase)).toEqual(['copying', 'verifying', 'publishing', 'published', 'releasing', 'done']);
  });

  function statSyncMode(f: { path: string }) {
    return f.path.endsWith('one.flac') ? 0o604 : 0o640;
  }

  it('moves within one filesystem by claiming the destination with a hard link (same inode, same timestamps)', async () => {
    const src = folder(DISK, 'src');
    const files = [writeFixtureFile(path.join(src, 'in', 'track.flac'), 5000)];
    const { ops, outcomes } = await run([operationFor(files[0], path.join(src, 'out', 'deep', 'Track.flac'))]);
    expect(outcomes).toEqual(['done']);
    expect(ops[0].method).toBe('link');
    const st = statSync(ops[0].destination.toString(), { bigint: true });
    expect(st.ino.toString()).toBe(files[0].ino);
    expect(checkExactlyOnce(ops, hashesOf(ops, files))).toEqual([]);
  });

  it('copy mode leaves the source untouched (hash and mtime) and verifies the copy; hardlink mode shares the inode', async () => {
    const src = folder(DISK, 'src');
    const out = folder(TMPFS, 'out');
    const a = writeFixtureFile(path.join(src, 'a.flac'), 70_000);
    const b = writeFixtureFile(path.join(src, 'b.flac'), 3000);
    const { ops, outcomes } = await run([operationFor(a, path.join(out, 'A', 'a.flac'), 'copy')], undefined, 'copy');
    expect(outcomes).toEqual(['done']);
    expect(sha256File(a.path)).toBe(a.hash);
    expect(statSync(a.path).mtimeMs).toBe(a.mtimeMs);
    expect(sha256File(ops[0].destination.toString())).toBe(a.hash);
    const linked = await run(
      [operationFor(b, path.join(src, 'organised', 'b.flac'), 'hardlink')],
      undefined,
      'hardlink',
    );
    expect(linked.outcomes).toEqual(['done']);
    expect(statSync(path.join(src, 'organised', 'b.flac'), { bigint: true }).ino.toString()).toBe(b.ino);
    const crossLink = await run([operationFor(b, path.join(out, 'b.flac'), 'hardlink')], undefined, 'hardlink');
    expect(crossLink.ops[0]).toMatchObject({ status: 'failed', errorCode: 'not-same-filesystem' });
    expect(exists(path.join(out, 'b.flac'))).toBe(false);
  });

  it('detects a copy corrupted between copy and verify: the copy is removed and the source kept', async () => {
    const src = folder(DISK, 'src');
    const dst = folder(TMPFS, 'dst');
    const f = writeFixtureFile(path.join(src, 'mix.flac'), 200_000);
    const corrupt: ProtocolHooks = {
      at: (point, op) => {
        if (point !== 'copy:before-verify') return;
        const fd = openSync(op.temp!, 'r+');
        writeSync(fd, Buffer.from([0xff, 0x00, 0xee]), 0, 3, 1000);
        closeSync(fd);
      },
    };
    const { ops } = await run([operationFor(f, path.join(dst, 'mix.flac'))], corrupt);
    expect(ops[0]).toMatchObject({ status: 'failed', errorCode: 'verify-failed' });
    expect(sha256File(f.path)).toBe(f.hash);
    expect(exists(path.join(dst, 'mix.flac'))).toBe(false);
    expect(leftovers(dst)).toEqual([]);
  });

  describe('each failure ends as a failed item with its reason, and nothing is touched', () => {
    const untouched = (f: { path: string; hash: string; mtimeMs: number }) => {
      expect(sha256File(f.path)).toBe(f.hash);
      expect(statSync(f.path).mtimeMs).toBe(f.mtimeMs);
    };

    it('destination exists', async () => {
      const src = folder(DISK, 'src');
      const f = writeFixtureFile(path.join(src, 'a.mp3'), 100);
      const other = writeFixtureFile(path.join(src, 'taken', 'a.mp3'), 50);
      for (const target of [other.path, path.join(folder(TMPFS, 'dst'), 'a.mp3')]) {
        if (!exists(target)) writeFileSync(target, 'someone else');
        const before = sha256File(target);
        const { ops } = await run([operationFor(f, target)]);
        expect(ops[0]).toMatchObject({ status: 'failed', errorCode: 'destination-exists' });
        expect(sha256File(target)).toBe(before);
        untouched(f);
      }
    });

    it('source changed, source missing', async () => {
      const src = folder(DISK, 'src');
      const f = writeFixtureFile(path.join(src, 'a.mp3'), 100);
      const g = writeFixtureFile(path.join(src, 'b.mp3'), 100);
      writeFileSync(g.path, 'changed after it was hashed');
      const changed = await run([operationFor(g, path.join(src, 'new', 'b.mp3'))]);
      expect(changed.ops[0]).toMatchObject({ status: 'failed', errorCode: 'source-changed' });
      expect(readFileSync(g.path, 'utf8')).toBe('changed after it was hashed');
      const missing = await run([
        operationFor({ ...f, path: path.join(src, 'gone.mp3') }, path.join(src, 'new', 'gone.mp3')),
      ]);
      expect(missing.ops[0]).toMatchObject({ status: 'failed', errorCode: 'source-missing' });
      expect(existsSync(path.join(src, 'new'))).toBe(false);
      untouched(f);
    });

    it('path too long', async () => {
      const src = folder(DISK, 'src');
      const f = writeFixtureFile(path.join(src, 'a.mp3'), 100);
      const { ops } = await run([operationFor(f, path.join(src, 'x'.repeat(300), 'a.mp3'))]);
      expect(ops[0]).toMatchObject({ status: 'failed', errorCode: 'path-too-long' });
      const deep = await run([
        operationFor(f, path.join(src, ...Array.from({ length: 40 }, () => 'y'.repeat(120)), 'a.mp3')),
      ]);
      expect(deep.ops[0]).toMatchObject({ status: 'failed', errorCode: 'path-too-long' });
      untouched(f);
    });

    it('permission denied (an immutable destination folder refuses even root)', async () => {
      const src = folder(DISK, 'src');
      const f = writeFixtureFile(path.join(src, 'a.mp3'), 100);
      const locked = path.join(src, 'locked');
      mkdirSync(locked);
      const lockedShm = path.join(folder(TMPFS, 'dst'), 'locked');
      mkdirSync(lockedShm);
      chmodSync(lockedShm, 0o500);
      execFileSync('chattr', ['+i', locked]);
      try {
        const same = await run([operationFor(f, path.join(locked, 'a.mp3'))]);
        expect(same.ops[0]).toMatchObject({ status: 'failed', errorCode: 'permission-denied' });
      } finally {
        execFileSync('chattr', ['-i', locked]);
      }
      untouched(f);
      // Releasing the source is refused too: the published copy is rolled back and the source kept.
      const dst = folder(TMPFS, 'dst');
      execFileSync('chattr', ['+i', src]);
      try {
        const { ops } = await run([operationFor(f, path.join(dst, 'a.mp3'))]);
        expect(ops[0]).toMatchObject({ status: 'failed', errorCode: 'permission-denied' });
      } finally {
        execFileSync('chattr', ['-i', src]);
      }
      expect(exists(path.join(dst, 'a.mp3'))).toBe(false);
      expect(leftovers(dst)).toEqual([]);
      untouched(f);
    });

    it('disk full (a 2 MiB tmpfs)', async () => {
      const src = folder(DISK, 'src');
      const small = folder(DISK, 'small');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
      try {
        const f = writeFixtureFile(path.join(src, 'big.flac'), 3 * 1024 * 1024);
        const { ops } = await run([operationFor(f, path.join(small, 'music', 'big.flac'))]);
        expect(ops[0]).toMatchObject({ status: 'failed', errorCode: 'disk-full' });
        expect(exists(path.join(small, 'music'))).toBe(false);
        expect(leftovers(small)).toEqual([]);
        untouched(f);
      } finally {
        execFileSync('umount', [small]);
      }
    });
  });

  it('undo moves files back by the same protocol and refuses when the original path is taken', async () => {
    const src = folder(DISK, 'src');
    const dst = folder(TMPFS, 'dst');
    const files = [writeFixtureFile(path.join(src, 'a.mp3'), 4000), writeFixtureFile(path.join(src, 'b.mp3'), 4000)];
    const moved = await run(files.map((f) => operationFor(f, path.join(dst, path.basename(f.path)))));
    expect(moved.outcomes).toEqual(['done', 'done']);
    writeFileSync(files[1].path, 'a new file took the original name');
    const undo = await run(undoOperationsFor(moved.ops));
    expect(undo.ops.map((o) => o.status)).toEqual(['done', 'failed']);
    expect(undo.ops[1].error).toBe('the original path is taken');
    expect(sha256File(files[0].path)).toBe(files[0].hash);
    expect(exists(path.join(dst, 'a.mp3'))).toBe(false);
    expect(sha256File(path.join(dst, 'b.mp3'))).toBe(files[1].hash);
  });

  // The name comparison and the recovery on the disk (case-sensitive); the same on a real case-insensitive
  // filesystem below.
  it('case-only renames: detected by name, and a rename interrupted between its two steps is finished from the journal', async () => {
    expect(differsOnlyInCase(Buffer.from('/m/a/track.mp3'), Buffer.from('/m/a/Track.MP3'))).toBe(true);
    expect(differsOnlyInCase(Buffer.from('/m/a/Ärger.mp3'), Buffer.from('/m/a/ärger.mp3'))).toBe(true);
    expect(differsOnlyInCase(Buffer.from('/m/a/track.mp3'), Buffer.from('/m/a/track.mp3'))).toBe(false);
    expect(differsOnlyInCase(Buffer.from('/m/a/track.mp3'), Buffer.from('/m/a/track2.mp3'))).toBe(false);

    const dir = folder(DISK, 'case');
    const file = writeFixtureFile(path.join(dir, 'artist - title.mp3'), 4000);
    const id = await journal.createExecution({
      kind: 'run',
      mode: 'move',
      operations: [operationFor(file, path.join(dir, 'Artist - Title.mp3'))],
    });
    const [op] = await journal.operationsOf(id);
    const temp = tempNameFor(op);
    await journal.record([{ op, phase: 'case-renaming', patch: { method: 'case-rename', temp } }]);
    renameSync(op.source, temp); // the first of the two renames, then the crash
    expect(await new FileProtocol(journal).reconcile(op)).toBe('done');
    expect(sha256File(path.join(dir, 'Artist - Title.mp3'))).toBe(file.hash);
    expect(exists(path.join(dir, 'artist - title.mp3'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
  describe('on a real case-insensitive filesystem (exFAT through FUSE)', () => {
    const mounted = mountCaseInsensitive();
    const ok = 'dir' in mounted;
    const itMounted = (name: string, fn: () => Promise<void>) =>
      ok ? it(name, fn) : it.skip(`${name} (skipped: ${(mounted as { skip: string }).skip})`, fn);
    afterAll(() => {
      if ('dir' in mounted) mounted.unmount();
    });

    itMounted('renames a file when only its letter case changes, through a temporary name', async () => {
      const dir = path.join((mounted as { dir: string }).dir, 'some artist');
      mkdirSync(dir);
      const file = writeFixtureFile(path.join(dir, 'artist - title.mp3'), 300_000);
      // One file, two spellings: this filesystem even numbers the two names differently.
      expect(existsSync(path.join(dir, 'Artist - Title.mp3'))).toBe(true);
      const { ops, outcomes } = await run([operationFor(file, path.join(dir, 'Artist - Title.mp3'))]);
      expect(outcomes).toEqual(['done']);
      expect(ops[0]).toMatchObject({ method: 'case-rename', status: 'done' });
      expect(readdirSync(dir)).toEqual(['Artist - Title.mp3']);
      expect(sha256File(path.join(dir, 'Artist - Title.mp3'))).toBe(file.hash);

      // A different file that only looks alike is no case-only rename: the destination exists.
      const other = writeFixtureFile(path.join(dir, 'another.mp3'), 1000);
      const taken = await run([operationFor(other, path.join(dir, 'ARTIST - TITLE.MP3'))]);
      expect(taken.outcomes).toEqual(['failed']);
      expect(taken.ops[0].errorCode).toBe('destination-exists');
      expect(sha256File(path.join(dir, 'another.mp3'))).toBe(other.hash);
    });

    itMounted('finishes a case-only rename interrupted between its two renames', async () => {
      const dir = path.join((mounted as { dir: string }).dir, 'crash');
      mkdirSync(dir);
      const file = writeFixtureFile(path.join(dir, 'dj set.flac'), 50_000);
      const id = await journal.createExecution({
        kind: 'run',
        mode: 'move',
        operations: [operationFor(file, path.join(dir, 'DJ Set.flac'))],
      });
      const [op] = await journal.operationsOf(id);
      const temp = tempNameFor(op);
      await journal.record([{ op, phase: 'case-renaming', patch: { method: 'case-rename', temp } }]);
      renameSync(op.source, temp); // the first of the two renames, then the crash
      expect(await new FileProtocol(journal).reconcile(op)).toBe('done');
      expect(readdirSync(dir)).toEqual(['DJ Set.flac']);
      expect(sha256File(path.join(dir, 'DJ Set.flac'))).toBe(file.hash);
    });
  });
});
