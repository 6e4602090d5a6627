// @ts-check
// A file I/O worker of the executor (plain JavaScript, so a worker starts in about 0.1 s instead of the
// second it takes to load the TypeScript compiler again in every thread). It copies and hashes whole files
// with blocking system calls, one file per message, and looks at an operation's paths before it starts. The main thread would otherwise hand each read, write,
// stat, fsync and close of every file to libuv's thread pool, one round trip (two thread switches) each:
// that hand-over, not the bytes, was most of the CPU time of a cross-filesystem batch on the busy machine
// (see bench/executor/README.md). Jobs and replies are typed in file-io-pool.ts.
const { Buffer } = require('node:buffer');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');

const CHUNK = 4 << 20;
/** One buffer per worker, reused for every file (no fresh pages to fault in per file). */
const buffer = Buffer.allocUnsafe(CHUNK);
/** Indexes into the shared control words: a copy paused at its mid-copy point, and stop. */
const PAUSE = 0;
const STOP = 1;

/** @param {Uint8Array} p */
const bytes = (p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength);

/** Milliseconds as Node's non-bigint stat computes them (and as ingest recorded them): see file-system.ts. */
/** @param {bigint} ns */
const msOf = (ns) => Number(ns / 1000000000n) * 1000 + Number(ns % 1000000000n) / 1e6;

/** The same identity as identityOf() in file-system.ts. @param {import('node:fs').BigIntStats} st */
function identityOf(st) {
  return {
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    size: Number(st.size),
    mtimeMs: msOf(st.mtimeNs),
    atimeMs: msOf(st.atimeNs),
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    nlink: Number(st.nlink),
    isFile: st.isFile(),
  };
}

const SLASH = 0x2f;

/** The folder of a byte path, as dirnameBytes() in path-bytes.ts. @param {Buffer} p */
function dirnameOf(p) {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  const i = p.lastIndexOf(SLASH, end - 1);
  if (i < 0) return Buffer.from('.');
  if (i === 0) return Buffer.from('/');
  return p.subarray(0, i);
}

/** lstat without following a final symlink; null when nothing is there (as lookAt() in file-system.ts). */
function lookAt(p) {
  const st = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
  return st ? identityOf(st) : null;
}

/**
 * What an operation's preflight looks at, in one go: the source, the destination, and the folders above
 * the destination that do not exist yet (outermost first) with the device of the nearest one that does.
 */
function look(job) {
  const destination = bytes(job.destination);
  const src = lookAt(bytes(job.source));
  const dst = lookAt(destination);
  const missing = [];
  let dir = dirnameOf(destination);
  let dev = null;
  for (;;) {
    const st = lookAt(dir);
    if (st) {
      dev = st.dev;
      break;
    }
    missing.unshift(Buffer.from(dir));
    const up = dirnameOf(dir);
    if (up.equals(dir)) break;
    dir = up;
  }
  return { src, dst, missing, dev };
}

/** Copies `from` into `to` (created with O_EXCL), keeping permissions, owner and timestamps; fsyncs it. */
function copy(job, control) {
  const source = job.source;
  const src = fs.openSync(bytes(job.from), 'r');
  try {
    const opened = identityOf(fs.fstatSync(src, { bigint: true }));
    const same =
      opened.isFile &&
      opened.dev === source.dev &&
      opened.ino === source.ino &&
      opened.size === source.size &&
      opened.mtimeMs === source.mtimeMs;
    if (!same) {
      throw Object.assign(new Error('the source changed since it was looked at'), { code: 'SOURCE_CHANGED' });
    }
    const mode = source.mode & 0o7777;
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;
    if (job.ensureParents) ensureParents(bytes(job.to));
    const dst = fs.openSync(bytes(job.to), flags, mode & 0o777);
    try {
      // Room for one byte more than the recorded size: a short read is the end of a regular file, and a
      // file that grew fills the buffer and is caught by the size check. Saves one read per file.
      const length = Math.min(CHUNK, Math.max(source.size + 1, 64 * 1024));
      let copied = 0;
      for (let first = true; ; first = false) {
        const n = fs.readSync(src, buffer, 0, length, null);
        if (!n) break;
        if (Atomics.load(control, STOP) !== 0) throw new Error('copy stopped: the executor is shutting down');
        const atEnd = n < length && copied + n === source.size;
        for (let off = 0; off < n;) off += fs.writeSync(dst, buffer, off, n - off);
        copied += n;
        if (first && job.pauseMidCopy) {
          // The "mid-copy" point of the fault tests: wait until the main thread has run its hook.
          Atomics.store(control, PAUSE, 1);
          parentPort.postMessage({ id: job.id, midCopy: true });
          Atomics.wait(control, PAUSE, 1);
        }
        if (atEnd) break;
      }
      if (source.uid !== job.uid || source.gid !== job.gid) {
        try {
          fs.fchownSync(dst, source.uid, source.gid); // only root may give files away
        } catch {
          // the copy stays the executor's own
        }
      }
      if (mode & ~0o777 || mode & job.umask) fs.fchmodSync(dst, mode); // else open() already set it
      fs.futimesSync(dst, source.atimeMs / 1000, source.mtimeMs / 1000);
      fs.fsyncSync(dst);
      return { identity: identityOf(fs.fstatSync(dst, { bigint: true })), bytesCopied: copied };
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

/** SHA-256 of a file; with `expectedSize`, a short read at that size ends it. */
function hash(job) {
  const fd = fs.openSync(bytes(job.path), 'r');
  try {
    const h = createHash('sha256');
    const length = job.expectedSize === null ? CHUNK : Math.min(CHUNK, Math.max(job.expectedSize + 1, 64 * 1024));
    let size = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, length, null);
      if (!n) break;
      h.update(buffer.subarray(0, n));
      size += n;
      if (job.expectedSize !== null && n < length && size === job.expectedSize) break;
    }
    return { hash: h.digest('hex'), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates the missing folders above `p` (outermost first), each made durable in its parent (as ensureParentFolders() in file-system.ts). @param {Buffer} p */
function ensureParents(p) {
  const missing = [];
  let dir = dirnameOf(p);
  for (;;) {
    if (lookAt(dir)) break;
    missing.unshift(Buffer.from(dir));
    const up = dirnameOf(dir);
    if (up.equals(dir)) break;
    dir = up;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if (!e || e.code !== 'EEXIST') throw e;
      continue;
    }
    fsyncDir(dirnameOf(d));
  }
}

/** @param {Buffer} dir */
function fsyncDir(dir) {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One small step of a batch (see FileIoStep in file-io-pool.ts): a look, a link, an unlink or a folder
 * fsync, each a blocking call here instead of a thread-pool round trip of the main thread.
 */
function step(s) {
  switch (s.do) {
    case 'lstat':
      return lookAt(bytes(s.path));
    case 'look':
      return look(s);
    case 'claim':
      // Link the destination to the source, creating its missing folders first when asked.
      if (s.ensureParents) ensureParents(bytes(s.to));
      fs.linkSync(bytes(s.from), bytes(s.to));
      return true;
    case 'publish':
      // Link the verified temporary copy to its destination, then drop the temporary name.
      fs.linkSync(bytes(s.from), bytes(s.to));
      try {
        fs.unlinkSync(bytes(s.from));
      } catch (e) {
        if (!e || e.code !== 'ENOENT') throw Object.assign(e, { linked: true });
      }
      return true;
    case 'unlink':
      fs.unlinkSync(bytes(s.path));
      return true;
    case 'fsync-dir':
      fsyncDir(bytes(s.path));
      return true;
    default:
      throw new Error(`unknown step ${s.do}`);
  }
}

/** @param {{ steps: any[] }} job */
function many(job) {
  return job.steps.map((s) => {
    try {
      return { value: step(s) };
    } catch (e) {
      return {
        error: { message: e && e.message ? e.message : String(e), code: e && e.code, linked: !!(e && e.linked) },
      };
    }
  });
}

/** @type {Int32Array} */
let control = new Int32Array(2);
/** Runs one job; its reply (result or error). */
function run(job) {
  try {
    return {
      id: job.id,
      result:
        job.type === 'copy'
          ? copy(job, control)
          : job.type === 'look'
            ? look(job)
            : job.type === 'many'
              ? many(job)
              : job.type === 'lstat'
                ? { identity: lookAt(bytes(job.path)) }
                : hash(job),
    };
  } catch (e) {
    return { id: job.id, error: { message: e && e.message ? e.message : String(e), code: e && e.code } };
  }
}

parentPort.on('message', (job) => {
  if (job.type === 'control') {
    control = new Int32Array(job.buffer);
    return;
  }
  // Several jobs in one message (a long queue): one reply with every job's own.
  if (job.type === 'jobs') parentPort.postMessage({ id: job.id, replies: job.jobs.map(run) });
  else parentPort.postMessage(run(job));
});
