import { MetadataReadError, formatBytes } from './errors';
import { findFrameChain, parseAdtsHeader, parseMpegHeader } from './mpeg-frames';
import { fourCC, type SourceFile } from './source-file';

/**
 * Which container a file really is, decided from its first bytes rather than its name: archives hold
 * .mp3 files that are really AAC, and .flac files that are really text. The extension only shapes
 * the wording of the error when the content is not media at all.
 */
export const CONTAINERS = [
  'mpeg',
  'adts',
  'flac',
  'ogg',
  'mp4',
  'wave',
  'aiff',
  'asf',
  'matroska',
  'avi',
  'flv',
  'ape',
  'wavpack',
  'musepack',
  'dsf',
  'dsdiff',
] as const;
export type Container = (typeof CONTAINERS)[number];

/** Containers music-metadata does not read; their facts come from ffprobe. */
export const PROBE_ONLY_CONTAINERS: ReadonlySet<Container> = new Set(['avi', 'flv']);

export interface SniffResult {
  container: Container;
  /** Where the container starts: after any ID3v2 tags stuck in front of it. */
  offset: number;
  /** Total bytes of ID3v2 tags in front of the container (0 when there are none). */
  id3v2Bytes: number;
  /** Up to HEAD_BYTES bytes from `offset`, for the structure checks. */
  head: Buffer;
  /** For MPEG audio and ADTS: the position of the first frame relative to `offset`. */
  firstFramePos: number;
}

export const HEAD_BYTES = 64 * 1024;
const ASF_HEADER_GUID = Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex');
const EBML_MAGIC = Buffer.from('1a45dfa3', 'hex');
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot', 'uuid']);

/** An ID3v2 header: "ID3", a known major version, and a size whose bytes are all 7-bit (syncsafe). */
function id3v2TagSize(head: Uint8Array): number | null {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return null;
  if (head[3] < 2 || head[3] > 4 || head[4] === 0xff) return null;
  if ((head[6] | head[7] | head[8] | head[9]) & 0x80) return null;
  const size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9];
  const footer = head[3] === 4 && head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

export async function sniffContainer(file: SourceFile, extension: string): Promise<SniffResult> {
  if (file.size === 0) throw new MetadataReadError('empty', 'zero-byte file');
  let offset = 0;
  let head = await file.read(0, HEAD_BYTES);
  // Broken taggers sometimes stack several ID3v2 tags; look through a few.
  for (let i = 0; i < 4; i++) {
    const tagSize = id3v2TagSize(head);
    if (tagSize === null) break;
    if (offset + tagSize > file.size) {
      throw new MetadataReadError(
        'truncated',
        `truncated: the ID3v2 tag says it is ${formatBytes(tagSize)} but the file holds only ${formatBytes(file.size - offset)}`,
      );
    }
    if (tagSize > file.budget.maxBytes) {
      throw new MetadataReadError(
        'too-large',
        `tag too large: the ID3v2 tag is ${formatBytes(tagSize)}, more than the ${formatBytes(file.budget.maxBytes)} a file's tags may take`,
      );
    }
    offset += tagSize;
    head = await file.read(offset, HEAD_BYTES);
  }
  if (offset > 0 && head.length === 0) {
    throw new MetadataReadError('truncated', 'truncated: the file holds an ID3v2 tag and no audio after it');
  }
  const base = { offset, id3v2Bytes: offset, head, firstFramePos: 0 };
  const magic = detectMagic(head);
  if (magic) return { ...base, container: magic };
  // MPEG audio and ADTS have no file header, only frames; trust them when three follow each other.
  const mpeg = findFrameChain(head, parseMpegHeader, 0, head.length);
  if (mpeg >= 0) return { ...base, container: 'mpeg', firstFramePos: mpeg };
  const adts = findFrameChain(head, parseAdtsHeader, 0, head.length);
  if (adts >= 0) return { ...base, container: 'adts', firstFramePos: adts };
  throw new MetadataReadError('not-media', notMediaReason(extension, head, offset > 0));
}

function detectMagic(h: Buffer): Container | null {
  if (h.length < 12) return null;
  const first = fourCC(h, 0);
  const third = fourCC(h, 8);
  if (first === 'fLaC') return 'flac';
  if (first === 'OggS') return 'ogg';
  if ((first === 'RIFF' || first === 'RF64' || first === 'BW64') && third === 'WAVE') return 'wave';
  if (first === 'RIFF' && third === 'AVI ') return 'avi';
  if (first === 'FORM' && (third === 'AIFF' || third === 'AIFC')) return 'aiff';
  if (first === 'FRM8') return 'dsdiff';
  if (h.length >= 16 && h.subarray(0, 16).equals(ASF_HEADER_GUID)) return 'asf';
  if (h.subarray(0, 4).equals(EBML_MAGIC)) return 'matroska';
  if (first.startsWith('FLV') && h[3] === 1) return 'flv';
  if (first === 'MAC ') return 'ape';
  if (first === 'wvpk') return 'wavpack';
  if (first === 'MPCK' || first.startsWith('MP+')) return 'musepack';
  if (first === 'DSD ') return 'dsf';
  if (MP4_FIRST_BOXES.has(fourCC(h, 4))) return 'mp4';
  return null;
}

/** What a file that is not media looks like, in words, for the reason shown to the person. */
export function describeContent(h: Buffer): string {
  if (h.length === 0) return 'it is empty';
  const start = h.subarray(0, 8);
  const signatures: [string, string][] = [
    ['ffd8ff', 'it is a JPEG image'],
    ['89504e47', 'it is a PNG image'],
    ['47494638', 'it is a GIF image'],
    ['504b0304', 'it is a ZIP archive'],
    ['52617221', 'it is a RAR archive'],
    ['377abcaf', 'it is a 7-Zip archive'],
    ['25504446', 'it is a PDF document'],
    ['1f8b', 'it is gzip-compressed data'],
    ['7f454c46', 'it is a program (ELF)'],
  ];
  const hex = start.toString('hex');
  for (const [sig, words] of signatures) if (hex.startsWith(sig)) return words;
  const sample = h.subarray(0, 1024);
  if (sample.every((b) => b === 0)) return 'it is filled with zero bytes';
  const text = sample.toString('utf8');
  const trimmed = text.trimStart().toLowerCase();
  if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'it is an HTML page';
  if (trimmed.startsWith('<?xml')) return 'it is an XML document';
  if (looksLikeText(sample)) return 'it starts with plain text';
  return 'its first bytes match no audio or video format';
}

function looksLikeText(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  let printable = 0;
  let total = 0;
  for (const ch of text) {
    total++;
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd) continue;
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c !== 0x7f)) printable++;
  }
  return total > 0 && printable / total > 0.95;
}

const EXPECTED_BY_EXTENSION: Record<string, [what: string, missing: string]> = {
  mp3: ['an MP3', 'no MPEG audio frames in the first 64 KiB'],
  mp2: ['an MP2', 'no MPEG audio frames in the first 64 KiB'],
  flac: ['a FLAC', 'no fLaC marker'],
  ogg: ['an Ogg', 'no OggS page header'],
  oga: ['an Ogg', 'no OggS page header'],
  opus: ['an Opus', 'no OggS page header'],
  m4a: ['an M4A', "no 'ftyp' or 'moov' box"],
  mp4: ['an MP4', "no 'ftyp' or 'moov' box"],
  m4v: ['an MP4', "no 'ftyp' or 'moov' box"],
  mov: ['a QuickTime', "no 'ftyp' or 'moov' box"],
  aac: ['an AAC', 'no ADTS frames in the first 64 KiB'],
  wav: ['a WAV', 'no RIFF/WAVE header'],
  aif: ['an AIFF', 'no FORM/AIFF header'],
  aiff: ['an AIFF', 'no FORM/AIFF header'],
  wma: ['a WMA', 'no ASF header'],
  wmv: ['a WMV', 'no ASF header'],
  mkv: ['a Matroska', 'no EBML header'],
  webm: ['a WebM', 'no EBML header'],
  avi: ['an AVI', 'no RIFF/AVI header'],
  flv: ['an FLV', 'no FLV header'],
};

function notMediaReason(extension: string, head: Buffer, afterId3: boolean): string {
  const looks = describeContent(head);
  const where = afterId3 ? ' after its ID3v2 tag' : '';
  const expected = EXPECTED_BY_EXTENSION[extension];
  if (expected) return `not ${expected[0]} file: ${expected[1]}${where} (${looks})`;
  return `not an audio or video file: no known format${where} (${looks})`;
}
