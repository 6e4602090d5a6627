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

/** @type {Int32Array} */
let control = new Int32Array(2);
parentPort.on('message', (job) => {
  if (job.type === 'control') {
    control = new Int32Array(job.buffer);
    return;
  }
  let reply;
  try {
    reply = {
      id: job.id,
      result:
        job.type === 'copy'
          ? copy(job, control)
          : job.type === 'look'
            ? look(job)
            : job.type === 'lstat'
              ? { identity: lookAt(bytes(job.path)) }
              : hash(job),
    };
  } catch (e) {
    reply = { id: job.id, error: { message: e && e.message ? e.message : String(e), code: e && e.code } };
  }
  parentPort.postMessage(reply);
});
