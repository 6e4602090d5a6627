import { normaliseText } from '../tags/text';
import { decodeText } from './decode-text';

/** Entries of .sfv (CRC32) and .md5 checksum files: which file should have which checksum. */
export interface ChecksumEntry {
  fileName: string;
  /** Lower-case hex. */
  checksum: string;
}

export interface ChecksumList {
  algorithm: 'crc32' | 'md5';
  entries: ChecksumEntry[];
}

const MAX_ENTRIES = 5000;

function lines(bytes: Uint8Array): string[] {
  return decodeText(bytes)
    .text.replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** SFV: "file name.mp3 1A2B3C4D" per line; lines starting with ";" are comments. */
export function parseSfv(bytes: Uint8Array): ChecksumList {
  const entries: ChecksumEntry[] = [];
  for (const line of lines(bytes)) {
    if (line.startsWith(';') || entries.length >= MAX_ENTRIES) continue;
    const m = /^(.+?)\s+([0-9a-fA-F]{8})$/.exec(line);
    if (m) entries.push({ fileName: normaliseText(m[1], { maxLength: 1024 }), checksum: m[2].toLowerCase() });
  }
  return { algorithm: 'crc32', entries };
}

/** md5sum ("hash  name" or "hash *name") and BSD ("MD5 (name) = hash") formats. */
export function parseMd5(bytes: Uint8Array): ChecksumList {
  const entries: ChecksumEntry[] = [];
  for (const line of lines(bytes)) {
    if (line.startsWith('#') || line.startsWith(';') || entries.length >= MAX_ENTRIES) continue;
    const gnu = /^([0-9a-fA-F]{32})\s[ *](.+)$/.exec(line);
    const bsd = /^MD5\s*\((.+)\)\s*=\s*([0-9a-fA-F]{32})$/i.exec(line);
    if (gnu) entries.push({ fileName: normaliseText(gnu[2], { maxLength: 1024 }), checksum: gnu[1].toLowerCase() });
    else if (bsd)
      entries.push({ fileName: normaliseText(bsd[1], { maxLength: 1024 }), checksum: bsd[2].toLowerCase() });
  }
  return { algorithm: 'md5', entries };
}
