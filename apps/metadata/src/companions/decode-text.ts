import * as iconv from 'iconv-lite';

/**
 * Companion text files come in every encoding a scene or a ripper ever used: UTF-8 with or without
 * a byte-order mark, UTF-16 from Windows tools, CP437 for .nfo art made for DOS fonts, and
 * Windows-1252 or Latin-1 for the rest. The bytes decide; the file's kind only breaks ties.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'cp437' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** A byte-order mark was present (and removed). */
  bom: boolean;
}

export interface DecodeOptions {
  /** Which single-byte encoding to prefer when the bytes fit both: CP437 for .nfo, Windows-1252 otherwise. */
  prefer?: 'cp437' | 'windows-1252';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(bytes: Uint8Array, options: DecodeOptions = {}): DecodedText {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
    return { text: utf8Lenient(b.subarray(3)), encoding: 'utf-8', bom: true };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe)
    return { text: utf16(b.subarray(2), 'le'), encoding: 'utf-16le', bom: true };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff)
    return { text: utf16(b.subarray(2), 'be'), encoding: 'utf-16be', bom: true };
  const utf16Guess = guessUtf16WithoutBom(b);
  if (utf16Guess)
    return { text: utf16(b, utf16Guess), encoding: utf16Guess === 'le' ? 'utf-16le' : 'utf-16be', bom: false };
  const utf8 = tryUtf8(b);
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8', bom: false };
  const encoding = chooseSingleByte(b, options.prefer ?? 'windows-1252');
  return { text: iconv.decode(b, encoding === 'cp437' ? 'cp437' : 'win1252'), encoding, bom: false };
}

/** Strict UTF-8; a sequence cut by a read limit at the very end does not count against it. */
function tryUtf8(b: Buffer): string | null {
  try {
    return strictUtf8.decode(b);
  } catch {
    // A capped read may end inside a multi-byte character: drop up to 3 trailing bytes and retry.
    for (let cut = 1; cut <= 3 && cut < b.length; cut++) {
      if ((b[b.length - cut] & 0xc0) !== 0x80) {
        try {
          return strictUtf8.decode(b.subarray(0, b.length - cut));
        } catch {
          return null;
        }
      }
    }
    return null;
  }
}

function utf8Lenient(b: Buffer): string {
  return new TextDecoder('utf-8').decode(b);
}

function utf16(b: Buffer, order: 'le' | 'be'): string {
  const even = b.length - (b.length % 2);
  const body = b.subarray(0, even);
  if (order === 'le') return body.toString('utf16le');
  const swapped = Buffer.from(body);
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** Mostly-ASCII UTF-16 without a BOM shows as every other byte being NUL. */
function guessUtf16WithoutBom(b: Buffer): 'le' | 'be' | null {
  const n = Math.min(b.length - (b.length % 2), 4096);
  if (n < 8) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenNul++;
    if (b[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul > pairs * 0.4 && evenNul < pairs * 0.05) return 'le';
  if (evenNul > pairs * 0.4 && oddNul < pairs * 0.05) return 'be';
  return null;
}

/**
 * CP437 or Windows-1252. Scene art is made of CP437 shades, blocks and lines (0xB0–0xDF); text in
 * Western languages uses the Windows-1252 lower-case accented letters (0xE0–0xFF) far more often.
 */
function chooseSingleByte(b: Buffer, prefer: 'cp437' | 'windows-1252'): 'cp437' | 'windows-1252' {
  let art = 0;
  let accents = 0;
  for (const byte of b) {
    if (byte >= 0xb0 && byte <= 0xdf) art++;
    else if (byte >= 0xe0) accents++;
  }
  if (prefer === 'cp437') return accents > art * 2 && accents > 0 ? 'windows-1252' : 'cp437';
  return art >= 8 && art > accents * 2 ? 'cp437' : 'windows-1252';
}
