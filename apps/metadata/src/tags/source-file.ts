import type { FileHandle } from 'node:fs/promises';
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

/** An open file with its size, read at absolute positions, every read charged to the budget. */
export class SourceFile {
  constructor(
    readonly handle: FileHandle,
    readonly size: number,
    readonly budget: ReadBudget,
  ) {}

  /** Reads up to `length` bytes at `position`; shorter only at the end of the file. */
  async read(position: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(position, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    if (len === 0) return Buffer.alloc(0);
    this.budget.charge(len);
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.handle.read(buf, done, len - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === len ? buf : buf.subarray(0, done);
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
