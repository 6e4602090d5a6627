import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { MetadataReadError, formatBytes } from './errors';

/**
 * The limits of one read: how many bytes may be pulled from the file in all, and until when. Every
 * read, ours and music-metadata's, is charged here, so a hostile file can neither make the reader
 * load 500 MB nor keep it busy forever.
 */
export class ReadBudget {
  bytesRead = 0;
  private readonly deadline: number;

  constructor(
    readonly maxBytes: number,
    readonly timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  /** Throws a MetadataReadError when the time is up or the bytes would exceed the limit. */
  charge(bytes: number): void {
    this.checkTime();
    if (this.bytesRead + bytes > this.maxBytes) {
      throw new MetadataReadError(
        'too-large',
        `tag or header too large: reading it needs more than the ${formatBytes(this.maxBytes)} allowed per file`,
      );
    }
    this.bytesRead += bytes;
  }

  checkTime(): void {
    if (Date.now() > this.deadline) throw timeoutError(this.timeoutMs);
  }
}

export function timeoutError(timeoutMs: number): MetadataReadError {
  return new MetadataReadError(
    'timeout',
    `timed out: reading the tags took longer than ${(timeoutMs / 1000).toFixed(1)} s`,
  );
}

/** Bytes kept in memory from the start and from the end of each file. */
export const HEAD_WINDOW = 256 * 1024;
export const TAIL_WINDOW = 128 * 1024;

/** Window memory of closed files, kept for the next ones (a few, so concurrency does not hoard). */
const spareWindows: Buffer[] = [];
const MAX_SPARE_WINDOWS = 8;

function acquireWindowMemory(): Buffer {
  return spareWindows.pop() ?? Buffer.allocUnsafeSlow(HEAD_WINDOW + TAIL_WINDOW);
}

function releaseWindowMemory(memory: Buffer): void {
  if (spareWindows.length < MAX_SPARE_WINDOWS) spareWindows.push(memory);
}

/**
 * How bytes come off the disk. `async` goes through libuv's thread pool and never blocks the event
 * loop; `sync` reads directly and is much cheaper per read, for worker threads whose only job is
 * reading tags (see TagReaderPool).
 */
export type IoMode = 'async' | 'sync';

interface FileIo {
  readonly fd: number;
  read(target: Uint8Array, offset: number, length: number, position: number): Promise<number> | number;
  close(): Promise<void> | void;
}

/**
 * Opens a regular file for reading. Anything else (a folder, a FIFO that would block the open until
 * someone writes to it, a device) is refused by a stat first; its size comes from that same stat.
 */
export async function openSourceFile(filePath: string | Buffer, budget: ReadBudget, mode: IoMode): Promise<SourceFile> {
  try {
    const info = mode === 'sync' ? statSync(filePath) : await stat(filePath);
    if (info.isDirectory()) throw new MetadataReadError('unreadable', 'unreadable: this is a folder, not a file');
    if (!info.isFile())
      throw new MetadataReadError('unreadable', 'unreadable: not a regular file (a device, pipe or socket)');
    let io: FileIo;
    if (mode === 'sync') {
      const fd = openSync(filePath, 'r');
      io = { fd, read: (b, o, l, p) => readSync(fd, b, o, l, p), close: () => closeSync(fd) };
    } else {
      const handle = await open(filePath, 'r');
      io = {
        fd: handle.fd,
        read: async (b, o, l, p) => (await handle.read(b, o, l, p)).bytesRead,
        close: () => handle.close(),
      };
    }
    return new SourceFile(io, info.size, budget);
  } catch (err) {
    throw ioError(err);
  }
}

export function ioError(err: unknown): MetadataReadError {
  if (err instanceof MetadataReadError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'file not found (it was moved or deleted after the scan)',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'this is a folder, not a file',
    ELOOP: 'too many symbolic links',
    EIO: 'input/output error (a failing disk or a dropped network share)',
    ENAMETOOLONG: 'the path is too long',
  };
  const reason = (code && reasons[code]) ?? String((err as Error).message ?? err).slice(0, 300);
  return new MetadataReadError('unreadable', `unreadable: ${reason}`, { cause: err });
}

/**
 * An open file with its size, read at absolute positions, every disk read charged to the budget.
 * The first 256 KiB and the last 128 KiB are loaded up front (one read for small files, two for
 * others) and every later read that falls inside them is served from memory. Tags, headers and the
 * end-of-file structures all live there, so a typical file costs two reads instead of dozens; with
 * asynchronous I/O each read is a round trip through the thread pool, which dominated reading time.
 */
export class SourceFile {
  private headStart = 0;
  private head: Buffer = Buffer.alloc(0);
  private tailStart = 0;
  private tail: Buffer = Buffer.alloc(0);
  private windowMemory: Buffer | null = null;

  constructor(
    private readonly io: FileIo,
    readonly size: number,
    readonly budget: ReadBudget,
  ) {}

  /** The file descriptor, for handing the file to a child process (ffprobe). */
  get fd(): number {
    return this.io.fd;
  }

  async close(): Promise<void> {
    if (this.windowMemory) {
      releaseWindowMemory(this.windowMemory);
      this.windowMemory = null;
      this.head = this.tail = Buffer.alloc(0);
    }
    try {
      await this.io.close();
    } catch {
      // closing a file we only read cannot lose anything
    }
  }

  /** Loads the head and tail windows into memory reused from earlier files (less garbage to collect). */
  async loadWindows(): Promise<void> {
    const memory = (this.windowMemory = acquireWindowMemory());
    if (this.size <= HEAD_WINDOW + TAIL_WINDOW) {
      this.head = memory.subarray(0, await this.readIntoWindow(memory, 0, this.size));
      this.tail = this.head;
      return;
    }
    this.head = memory.subarray(0, await this.readIntoWindow(memory, 0, HEAD_WINDOW));
    this.tailStart = this.size - TAIL_WINDOW;
    const tail = memory.subarray(HEAD_WINDOW);
    this.tail = tail.subarray(0, await this.readIntoWindow(tail, this.tailStart, TAIL_WINDOW));
  }

  private async readIntoWindow(target: Buffer, position: number, len: number): Promise<number> {
    if (len === 0) return 0;
    this.budget.charge(len);
    return this.fill(target, position, len);
  }

  /** The bytes [position, position + length) when a loaded window holds all of them, else null. */
  cached(position: number, length: number): Buffer | null {
    const end = position + length;
    if (position >= this.headStart && end <= this.headStart + this.head.length)
      return this.head.subarray(position - this.headStart, end - this.headStart);
    if (position >= this.tailStart && end <= this.tailStart + this.tail.length)
      return this.tail.subarray(position - this.tailStart, end - this.tailStart);
    return null;
  }

  /** Reads up to `length` bytes at `position`; shorter only at the end of the file. */
  async read(position: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(position, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    return this.cached(start, len) ?? this.readFromDisk(start, len);
  }

  /** Fills `target[0, length)` from `position`; returns the bytes read (fewer only at the end of the file). */
  async readInto(target: Uint8Array, position: number, length: number): Promise<number> {
    const len = Math.max(0, Math.min(length, this.size - position));
    const bytes = this.cached(position, len);
    if (bytes) {
      this.budget.checkTime();
      target.set(bytes);
      return len;
    }
    this.budget.charge(len);
    return this.fill(target, position, len);
  }

  private async readFromDisk(start: number, len: number): Promise<Buffer> {
    if (len === 0) return Buffer.alloc(0);
    this.budget.charge(len);
    const buf = Buffer.allocUnsafe(len);
    const done = await this.fill(buf, start, len);
    return done === len ? buf : buf.subarray(0, done);
  }

  private async fill(target: Uint8Array, position: number, len: number): Promise<number> {
    let done = 0;
    try {
      while (done < len) {
        const n = await this.io.read(target, done, len - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      throw ioError(err);
    }
    return done;
  }
}

/** Checksums the containers use, so a cut-off or garbled page or frame is told from a real one. */
const CRC8_TABLE = makeTable(8, 0x07);
const CRC32_OGG_TABLE = makeTable(32, 0x04c11db7);

function makeTable(width: 8 | 32, poly: number): Uint32Array {
  const table = new Uint32Array(256);
  const topBit = 2 ** (width - 1);
  const mask = width === 32 ? 0xffffffff : (1 << width) - 1;
  for (let i = 0; i < 256; i++) {
    // Kept as unsigned numbers: JavaScript's bit operators work on signed 32-bit integers.
    let r = (i * 2 ** (width - 8)) >>> 0;
    for (let b = 0; b < 8; b++) r = ((r >= topBit ? (r << 1) ^ poly : r << 1) & mask) >>> 0;
    table[i] = r;
  }
  return table;
}

/** CRC-8 with polynomial 0x07, initial value 0 (FLAC frame headers). */
export function crc8(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = CRC8_TABLE[crc ^ buf[i]];
  return crc;
}

/** CRC-32 with polynomial 0x04C11DB7, not reflected, initial value 0 (Ogg pages). */
export function crc32Ogg(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC32_OGG_TABLE[((crc >>> 24) ^ buf[i]) & 0xff]) >>> 0;
  return crc;
}

export function fourCC(buf: Uint8Array, offset: number): string {
  return String.fromCharCode(buf[offset], buf[offset + 1], buf[offset + 2], buf[offset + 3]);
}

/** A chunk or box name made of printable ASCII; anything else means we are reading garbage. */
export function isPrintableFourCC(buf: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + 4; i++) if (buf[i] < 0x20 || buf[i] > 0x7e) return false;
  return true;
}
