import { FastCollector, ID3V2_COMMON, MP4_COMMON, VORBIS_COMMON } from './fast-collector';
import type { AudioMetadata } from './music-metadata.adapter';
import type { SniffResult } from './sniff';
import type { SourceFile } from './source-file';

/**
 * Readers for the commonest shapes of the hot formats, written from the format specifications:
 * FLAC (STREAMINFO, VORBIS_COMMENT, PICTURE presence), Ogg Vorbis (identification and comment
 * headers), MP3 behind a plain ID3v2.3/2.4 tag (text, comment, user text and picture frames; the
 * first frames with their Xing/Info/LAME header) and M4A with one audio track (ftyp, the track's
 * tkhd/hdlr/mdhd/stsd/stsz, the iTunes items in moov/udta/meta/ilst). music-metadata spends most of a file's reading
 * time on set-up per file (its tag mappers, its tokenizer's promise per field); these read straight
 * from the head and tail windows SourceFile already holds.
 *
 * They give the same result as music-metadata's path (fast-path.spec.ts compares the two field by
 * field) because they only answer when a file is plain: anything they do not handle exactly as
 * music-metadata does (other frame types, UTF-16 text, unsynchronisation, chained streams, trailing
 * ID3v1/APE tags, bytes outside the loaded windows, ...) makes them return null, and the file goes
 * through music-metadata as before.
 */
export function readFastPath(file: SourceFile, sniff: SniffResult): AudioMetadata | null {
  if (hasTrailingTags(file)) return null;
  switch (sniff.container) {
    case 'flac':
      return sniff.offset === 0 ? readFlac(file) : null;
    case 'ogg':
      return sniff.offset === 0 ? readOggVorbis(file) : null;
    case 'mpeg':
      return readMp3(file, sniff);
    case 'mp4':
      return sniff.offset === 0 ? readMp4(file) : null;
    default:
      return null;
  }
}

/** ID3v1, APEv2 and Lyrics3 tags at the end are read by music-metadata's own code. */
function hasTrailingTags(file: SourceFile): boolean {
  const size = file.size;
  if (size >= 128 && ascii(file.cached(size - 128, 3)) === 'TAG') return true;
  if (size >= 32 && ascii(file.cached(size - 32, 8)) === 'APETAGEX') return true;
  if (size >= 9 && ascii(file.cached(size - 9, 9)) === 'LYRICS200') return true;
  return false;
}

function ascii(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('latin1');
}

const utf8 = new TextDecoder('utf-8');

// ---------------------------------------------------------------- Vorbis comments (FLAC and Ogg)

/**
 * Adds the comments of a Vorbis comment block starting at `p` (vendor string first); false when the
 * block runs past `end` or holds a picture (pictures in Ogg are decoded by music-metadata).
 */
function addVorbisComments(c: FastCollector, b: Buffer, p: number, end: number, allowPicture: boolean): boolean {
  if (p + 4 > end) return false;
  p += 4 + b.readUInt32LE(p);
  if (p + 4 > end) return false;
  const count = b.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < count; i++) {
    if (p + 4 > end) return false;
    const len = b.readUInt32LE(p);
    p += 4;
    if (p + len > end) return false;
    const text = utf8.decode(b.subarray(p, p + len));
    p += len;
    const eq = text.indexOf('=');
    const key = text.substring(0, eq).toUpperCase();
    if (key === 'METADATA_BLOCK_PICTURE' && !allowPicture) return false;
    c.addTag('vorbis', key, text.substring(eq + 1));
  }
  return true;
}

// ---------------------------------------------------------------- FLAC

function readFlac(file: SourceFile): AudioMetadata | null {
  const c = new FastCollector(VORBIS_COMMON);
  let pos = 4;
  let duration: number | undefined;
  for (let last = false; !last;) {
    const h = file.cached(pos, 4);
    if (!h) return null;
    last = (h[0] & 0x80) !== 0;
    const type = h[0] & 0x7f;
    const len = (h[1] << 16) | (h[2] << 8) | h[3];
    pos += 4;
    if (type === 0) {
      const b = file.cached(pos, len);
      // Lengths past 2^31 samples come out differently from music-metadata's bit reader: leave them to it.
      if (!b || len !== 34 || (b[13] & 0x0f) !== 0 || b[14] >= 0x80) return null;
      const sampleRate = (b[10] << 12) | (b[11] << 4) | (b[12] >> 4);
      const totalSamples = (b[13] & 0x0f) * 2 ** 32 + b.readUInt32BE(14);
      c.format.container = 'FLAC';
      c.format.codec = 'FLAC';
      c.format.hasAudio = true;
      c.format.lossless = true;
      c.format.numberOfChannels = ((b[12] >> 1) & 7) + 1;
      c.format.bitsPerSample = (((b[12] & 1) << 4) | (b[13] >> 4)) + 1;
      c.format.sampleRate = sampleRate;
      if (totalSamples > 0) c.format.duration = duration = totalSamples / sampleRate;
    } else if (type === 4) {
      const b = file.cached(pos, len);
      // FLAC files are read with skipCovers, so a picture comment is skipped like a PICTURE block.
      if (!b || !addVorbisComments(c, b, 0, len, false)) return null;
    } else if (type > 6) {
      return null; // music-metadata warns about unknown block types
    }
    pos += len;
  }
  if (c.format.container === undefined) return null;
  if (duration) c.format.bitrate = (8 * (file.size - pos)) / duration;
  c.format.hasVideo = false;
  return c.result();
}

// ---------------------------------------------------------------- Ogg Vorbis

/**
 * Reads pages the way music-metadata does with `duration: false`: until the page numbered 13 or
 * the end-of-stream page, gathering page bodies from the comment header's first page onwards.
 */
function readOggVorbis(file: SourceFile): AudioMetadata | null {
  const c = new FastCollector(VORBIS_COMMON);
  let pos = 0;
  let serial = -1;
  let gathered: Buffer[] = [];
  let commentsRead = false;
  let lastGranule = -1;
  let eos = false;
  for (let page = 0; ; page++) {
    const h = file.cached(pos, 27);
    if (!h || h.toString('latin1', 0, 4) !== 'OggS') return null;
    const flags = h[5];
    const segments = h[26];
    const table = file.cached(pos + 27, segments);
    if (!table) return null;
    let bodyLen = 0;
    for (let i = 0; i < segments; i++) bodyLen += table[i];
    const body = file.cached(pos + 27 + segments, bodyLen);
    if (!body) return null;
    const pageSerial = h.readUInt32LE(14);
    const sequence = h.readUInt32LE(18);
    const granuleLo = h.readUInt32LE(6);
    const granuleHi = h.readUInt32LE(10);
    pos += 27 + segments + bodyLen;
    if (page === 0) {
      if (!(flags & 2) || body.length < 30 || body.toString('latin1', 0, 7) !== '\x01vorbis') return null;
      serial = pageSerial;
      c.format.container = 'Ogg';
      c.format.codec = 'Vorbis I';
      c.format.hasAudio = true;
      c.format.sampleRate = body.readUInt32LE(12);
      c.format.bitrate = body.readUInt32LE(20);
      c.format.numberOfChannels = body[11];
    } else {
      // A second logical stream, a new first page, or an odd start: music-metadata's business.
      if (pageSerial !== serial || flags & 2) return null;
      const continued = (flags & 1) !== 0;
      if (continued) {
        if (gathered.length === 0) return null;
        gathered.push(body);
      }
      if (flags & 4 || !continued) {
        if (gathered.length > 0) {
          const packet = gathered.length === 1 ? gathered[0] : Buffer.concat(gathered);
          if (packet[0] === 3) {
            if (commentsRead || packet.toString('latin1', 1, 7) !== 'vorbis') return null;
            if (!addVorbisComments(c, packet, 7, packet.length, false)) return null;
            commentsRead = true;
          } else if (packet[0] !== 1 && packet[0] !== 5 && (packet[0] & 1) === 1) {
            return null;
          }
        }
        gathered = flags & 4 ? [] : [body];
      }
    }
    if (flags & 4) {
      if (granuleHi >= 0x200000) return null; // beyond 2^53: rounding to leave to music-metadata
      eos = true;
      lastGranule = granuleHi * 2 ** 32 + granuleLo;
    }
    if (eos || (sequence > 12 && commentsRead)) break;
  }
  // music-metadata parses what is still gathered when it stops; audio packets start with an even byte.
  if (!commentsRead || (gathered.length > 0 && gathered[0][0] % 2 === 1)) return null;
  if (eos && lastGranule >= 0 && c.format.sampleRate) c.format.duration = lastGranule / c.format.sampleRate;
  c.format.hasVideo = false;
  return c.result();
}

// ---------------------------------------------------------------- ID3v2.3 / 2.4

const PICTURE_TYPES = [
  'Other',
  "32x32 pixels 'file icon' (PNG only)",
  'Other file icon',
  'Cover (front)',
  'Cover (back)',
  'Leaflet page',
  'Media (e.g. label side of CD)',
  'Lead artist/lead performer/soloist',
  'Artist/performer',
  'Conductor',
  'Band/Orchestra',
  'Composer',
  'Lyricist/text writer',
  'Recording Location',
  'During recording',
  'During performance',
  'Movie/video screen capture',
  'A bright coloured fish',
  'Illustration',
  'Band/artist logotype',
  'Publisher/Studio logotype',
];

/** ID3v2.3 frames whose text holds several names separated by "/". */
const V23_SLASH_LISTS = new Set(['TPE1', 'TPE2', 'TPE3', 'TPE4', 'TCOM', 'TEXT', 'TOLY', 'TOPE', 'TXXX', 'TSRC']);

/** Latin-1 (0) or UTF-8 (3) text; null for UTF-16 and for a leading FF FE (handled by music-metadata). */
function decodeText(b: Buffer, encoding: number): string | null {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return null;
  return encoding === 0 ? b.toString('latin1') : utf8.decode(b);
}

function trimNulls(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Values of a text frame; null for ID3v2.3 text with NUL separators (music-metadata warns about those). */
function splitValues(major: number, id: string, text: string): string[] | null {
  let values = text.split('\0');
  if (major < 4 && values.length > 1) return null;
  if (major < 4 && V23_SLASH_LISTS.has(id)) values = text.split('/');
  return values.map((v) => trimNulls(v).trim());
}

/** Up to the first NUL; [text, bytes consumed including the NUL]. */
function nulTerminated(b: Buffer, start: number, encoding: number): [string, number] | null {
  let end = b.indexOf(0, start);
  if (end < 0) end = b.length;
  const text = decodeText(b.subarray(start, end), encoding);
  return text === null ? null : [text, Math.min(end + 1, b.length) - start];
}

/**
 * Adds the frames of the ID3v2 tag at `start`; returns the tag's end, or -1 when the tag has anything
 * this reader leaves to music-metadata.
 */
function addId3v2(c: FastCollector, file: SourceFile, start: number): number {
  const h = file.cached(start, 10);
  if (!h || h.toString('latin1', 0, 3) !== 'ID3') return -1;
  const major = h[3];
  if ((major !== 3 && major !== 4) || h[5] !== 0) return -1; // flags: unsynchronisation, extended header, footer
  const size = (h[6] << 21) | (h[7] << 14) | (h[8] << 7) | h[9];
  const tag = file.cached(start + 10, size);
  if (!tag) return -1;
  const tagType = `ID3v2.${major}`;
  let p = 0;
  while (p < size) {
    if (tag[p] === 0) {
      // Padding: music-metadata reads it as empty 10-byte frames and notes a short remainder.
      for (let q = p; q < size; q++) if (tag[q] !== 0) return -1;
      if ((size - p) % 10 !== 0) c.warnings.push({ message: 'Illegal ID3v2 tag length' });
      break;
    }
    if (p + 10 > size) return -1;
    const id = tag.toString('latin1', p, p + 4);
    if (!/^[A-Z0-9]{4}$/.test(id)) return -1;
    const len =
      major === 4 ? (tag[p + 4] << 21) | (tag[p + 5] << 14) | (tag[p + 6] << 7) | tag[p + 7] : tag.readUInt32BE(p + 4);
    if (tag[p + 9] !== 0 || len === 0 || p + 10 + len > size) return -1; // compressed, encrypted, unsynchronised, ...
    const data = tag.subarray(p + 10, p + 10 + len);
    p += 10 + len;
    if (!addId3Frame(c, tagType, major, id, data)) return -1;
  }
  return start + 10 + size;
}

function addId3Frame(c: FastCollector, tagType: string, major: number, id: string, data: Buffer): boolean {
  const encoding = data[0];
  if (encoding !== 0 && encoding !== 3) return false;
  if (id[0] === 'T' && id !== 'TXXX') {
    if (id === 'TMCL' || id === 'TIPL') return false;
    const decoded = decodeText(data.subarray(1), encoding);
    if (decoded === null) return false;
    const text = trimNulls(decoded);
    if (id === 'TRCK' || id === 'TPOS' || id === 'TIT1' || id === 'TIT2' || id === 'TIT3') {
      c.addTag(tagType, id, text);
      return true;
    }
    let values: string[] | null;
    if (id === 'TCOM' || id === 'TEXT' || id === 'TOLY' || id === 'TOPE' || id === 'TPE1' || id === 'TSRC') {
      values = splitValues(major, id, text);
    } else if (id === 'TCON') {
      values = splitValues(major, id, text);
      // Genre codes ("(13)", "17") are looked up by music-metadata.
      if (values === null || values.some((v) => v.includes('(') || /^\d+$/.test(v))) return false;
      values = values.filter((v) => v !== '');
    } else {
      values = major >= 4 ? splitValues(major, id, text) : [text];
    }
    if (values === null) return false;
    for (const v of values) c.addTag(tagType, id, v);
    return true;
  }
  switch (id) {
    case 'TXXX': {
      const description = nulTerminated(data, 1, encoding);
      if (!description) return false;
      const decoded = decodeText(data.subarray(1 + description[1]), encoding);
      if (decoded === null) return false;
      const values = splitValues(major, id, trimNulls(decoded));
      if (values === null) return false;
      const key = description[0] ? `TXXX:${description[0]}` : 'TXXX';
      for (const v of values) c.addTag(tagType, key, v);
      return true;
    }
    case 'COMM': {
      if (data.length < 4) return false;
      const language = data.toString('latin1', 1, 4);
      const descriptor = nulTerminated(data, 4, encoding);
      if (!descriptor) return false;
      const text = nulTerminated(data, 4 + descriptor[1], encoding);
      if (!text) return false;
      c.addTag(tagType, id, { language, descriptor: descriptor[0], text: text[0] });
      return true;
    }
    case 'APIC': {
      let mimeEnd = data.indexOf(0, 1);
      if (mimeEnd < 0) mimeEnd = data.length;
      let format = data.toString('latin1', 1, mimeEnd).toLocaleLowerCase();
      if (format === 'jpg') format = 'image/jpeg';
      else if (format === 'png') format = 'image/png';
      const typeAt = mimeEnd + 1;
      if (format === '' || typeAt >= data.length) return false;
      const description = nulTerminated(data, typeAt + 1, encoding);
      if (!description) return false;
      c.addTag(tagType, id, {
        format,
        type: PICTURE_TYPES[data[typeAt]],
        description: description[0],
        data: data.subarray(typeAt + 1 + description[1]),
      });
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- MPEG audio frames

const BITRATES: Record<number, number[]> = {
  // 10 × version + layer → kbit/s by bitrate index 1..14
  11: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  12: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  13: [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  21: [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  22: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  23: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000] };
const VERSIONS = [2.5, null, 2, 1];
const LAYERS = [0, 3, 2, 1];

interface MpegFrame {
  version: number;
  layer: number;
  bitrate: number;
  sampleRate: number;
  samples: number;
  size: number;
  sideInfo: number;
  crc: boolean;
}

function mpegFrame(b: Buffer, p: number): MpegFrame | null {
  const version = VERSIONS[(b[p + 1] >> 3) & 3];
  const layer = LAYERS[(b[p + 1] >> 1) & 3];
  const bitrateIndex = b[p + 2] >> 4;
  const rateIndex = (b[p + 2] >> 2) & 3;
  if (version === null || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const kbps = BITRATES[10 * Math.floor(version) + layer][bitrateIndex - 1];
  const sampleRate = version === 2.5 ? [11025, 12000, 8000][rateIndex] : SAMPLE_RATES[version][rateIndex];
  const samples = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  const padding = (b[p + 2] >> 1) & 1;
  const slot = layer === 1 ? 4 : 1;
  const mono = b[p + 3] >> 6 === 3;
  const sideInfo = layer !== 3 ? 2 : version === 1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  return {
    version,
    layer,
    bitrate: kbps * 1000,
    sampleRate,
    samples,
    size: Math.floor(((samples / 8) * kbps * 1000) / sampleRate + (padding ? slot : 0)),
    sideInfo,
    crc: (b[p + 1] & 1) === 0,
  };
}

/** The first FF followed by a byte with its top three bits set, at or after `from`. */
function syncAt(b: Buffer, from: number): number {
  for (let i = b.indexOf(0xff, from); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1))
    if ((b[i + 1] & 0xe0) === 0xe0) return i;
  return -1;
}

/**
 * Follows music-metadata's MPEG reading with `duration: false`: four frames from the first sync,
 * the first one's Xing/Info/LAME header, profile and bitrate from what those frames say.
 */
function readMp3(file: SourceFile, sniff: SniffResult): AudioMetadata | null {
  const c = new FastCollector(ID3V2_COMMON);
  // Tags stacked by broken taggers are read one after the other, as music-metadata and sniff.ts do.
  let tagEnd = 0;
  while (tagEnd < sniff.offset) {
    tagEnd = addId3v2(c, file, tagEnd);
    if (tagEnd < 0) return null;
  }
  if (tagEnd !== sniff.offset || ascii(file.cached(tagEnd, 3)) === 'ID3') return null;
  // Four frames and the first one's headers lie well within the head window for any real bitrate.
  const b = file.cached(tagEnd, Math.min(file.size - tagEnd, 16 * 1024));
  if (!b || file.size - tagEnd < 16 * 1024) return null;
  const f = c.format;
  f.lossless = false;
  f.hasAudio = true;
  f.hasVideo = false;
  const bitrates: number[] = [];
  let pos = 0;
  let firstSamples = 0;
  let firstRate = 0;
  let frameSize = 0;
  let samplesPerFrame: number | null = null;
  for (let count = 1; count <= 4; count++) {
    const at = syncAt(b, pos);
    if (at < 0 || (count === 1 && at !== sniff.firstFramePos) || at + 200 > b.length) return null;
    const frame = mpegFrame(b, at);
    if (!frame || (count > 1 && frame.crc)) return null;
    f.container = 'MPEG';
    f.codec = `MPEG ${frame.version} Layer ${frame.layer}`;
    f.sampleRate = frame.sampleRate;
    f.numberOfChannels = b[at + 3] >> 6 === 3 ? 1 : 2;
    f.bitrate = frame.bitrate;
    bitrates.push(frame.bitrate);
    frameSize = frame.size;
    if (count === 4) {
      if (bitrates.every((r) => r === bitrates[0])) {
        f.codecProfile = 'CBR';
        samplesPerFrame = frame.samples;
      }
      break;
    }
    if (count === 1) {
      firstSamples = frame.samples;
      firstRate = frame.sampleRate;
    }
    let offset = 4 + frame.sideInfo;
    const x = at + offset;
    const tag = b.toString('latin1', x, x + 4);
    offset += 4;
    if (tag === 'Info' || tag === 'Xing') {
      if (count !== 1) return null;
      if (tag === 'Info') f.codecProfile = 'CBR';
      const flags = b[x + 7];
      let q = x + 8;
      let frames: number | null = null;
      let streamSize: number | null = null;
      let vbrScale: number | null = null;
      if (flags & 1) frames = b.readUInt32BE((q += 4) - 4);
      if (flags & 2) streamSize = b.readUInt32BE((q += 4) - 4);
      if (flags & 4) q += 100;
      if (flags & 8) vbrScale = b.readUInt32BE((q += 4) - 4);
      if (b.toString('latin1', q, q + 4) === 'LAME') {
        const version = /\d+.\d+/.exec(b.toString('latin1', q + 4, q + 9));
        q += 9;
        if (version) {
          const [major, minor] = version[0].split('.').map((n) => Number.parseInt(n, 10));
          if (major >= 3 && minor >= 90) {
            f.duration = b.readUInt32BE(q + 20) / 1000;
            q += 27;
          }
        }
      }
      offset = q - at;
      if (tag === 'Xing' && vbrScale !== null) f.codecProfile = `V${Math.floor((100 - vbrScale) / 10)}`;
      if (streamSize && frames !== null) {
        f.duration = (frames * firstSamples) / firstRate;
        pos = q; // music-metadata looks for the next frame from here, inside this one
        continue;
      }
    } else if (tag === 'LAME' || tag === 'Xtra') {
      return null;
    }
    if (frameSize - offset < 0) return null;
    pos = at + frameSize;
  }
  // Finished as music-metadata finishes MPEG streams: VBR bitrate from size and length, CBR length from size.
  const mpegSize = file.size - tagEnd - sniff.firstFramePos;
  if (f.duration && f.codecProfile?.[0] === 'V') f.bitrate = (mpegSize * 8) / f.duration;
  if (f.codecProfile === 'CBR' && samplesPerFrame !== null && !f.duration)
    f.duration = (Math.round(mpegSize / frameSize) * samplesPerFrame) / f.sampleRate!;
  return c.result();
}

// ---------------------------------------------------------------- MP4 / M4A

/** Sample entry formats music-metadata names, and whether they are lossy. */
const MP4_CODECS: Record<string, [name: string, lossy: boolean]> = {
  mp4a: ['MPEG-4/AAC', true],
  alac: ['ALAC', false],
  '.mp3': ['MPEG-1 layer 3', true],
  'ac-3': ['AC-3', true],
};

/** Boxes music-metadata reads into or parses wherever they are; met anywhere unexpected, it decides. */
const MP4_SPECIAL = new Set([
  'moov',
  'udta',
  'mdia',
  'minf',
  'stbl',
  '<id>',
  'ilst',
  'tref',
  'moof',
  'meta',
  'mvhd',
  'chap',
  'mdat',
  'ftyp',
  'stsd',
  'stsz',
  'date',
  'trak',
]);

interface Mp4Box {
  name: string;
  /** Payload, from the loaded windows. */
  body: Buffer;
}

/** The boxes inside `b` (all of it), or null when they do not tile it exactly with plain 32-bit sizes. */
function mp4Children(b: Buffer): Mp4Box[] | null {
  const out: Mp4Box[] = [];
  for (let p = 0; p < b.length;) {
    if (p + 8 > b.length) return null;
    const size = b.readUInt32BE(p);
    if (size < 8 || p + size > b.length) return null;
    out.push({ name: b.toString('latin1', p + 4, p + 8), body: b.subarray(p + 8, p + size) });
    p += size;
  }
  return out;
}

interface Mp4Track {
  trackId?: number;
  handler?: string;
  timeScale?: number;
  duration?: number;
  format?: string;
  channels?: number;
  sampleSize?: number;
  sampleRate?: number;
  bytes?: number;
}

function readMp4(file: SourceFile): AudioMetadata | null {
  const c = new FastCollector(MP4_COMMON);
  let moov: Buffer | null = null;
  for (let pos = 0; pos < file.size;) {
    const h = file.cached(pos, 8);
    if (!h) return null;
    const size = h.readUInt32BE(0);
    const name = h.toString('latin1', 4, 8);
    if (size < 8 || pos + size > file.size) return null;
    if (name === 'ftyp') {
      const body = file.cached(pos + 8, size - 8);
      if (!body || body.length < 8 || body.length % 4 !== 0 || body.some((x) => x >= 0x80)) return null;
      const types: string[] = [];
      for (let i = 0; i < body.length; i += 4) {
        const type = body.toString('latin1', i, i + 4).replace(/\W/g, '');
        if (type.length > 0 && !types.includes(type)) types.push(type);
      }
      c.format.container = types.join('/');
    } else if (name === 'moov') {
      if (moov) return null;
      moov = file.cached(pos + 8, size - 8);
      if (!moov) return null;
    } else if (name !== 'mdat' && name !== 'free' && name !== 'skip' && name !== 'wide') {
      return null;
    }
    pos += size;
  }
  const boxes = moov && mp4Children(moov);
  if (!boxes) return null;
  let track: Mp4Track | null = null;
  for (const box of boxes) {
    if (box.name === 'trak') {
      if (track) return null; // several tracks: music-metadata picks among them
      track = readMp4Track(box.body);
      if (!track) return null;
    } else if (box.name === 'udta') {
      if (!addMp4Items(c, box.body)) return null;
    } else if (box.name === 'mvhd') {
      if (box.body.length < 100) return null;
    } else if (MP4_SPECIAL.has(box.name)) {
      return null;
    }
  }
  const codec = track?.format === undefined ? undefined : MP4_CODECS[track.format];
  if (!track || track.handler !== 'soun' || !codec || !track.timeScale) return null;
  // Without a sample entry music-metadata gives no format; without stsz it fails.
  if (track.sampleRate === undefined || track.bytes === undefined) return null;
  const f = c.format;
  f.codec = codec[0];
  f.sampleRate = track.sampleRate;
  f.bitsPerSample = track.sampleSize;
  f.numberOfChannels = track.channels;
  f.lossless = !codec[1];
  if (track.duration) {
    f.duration = track.duration / track.timeScale;
    if (track.bytes) f.bitrate = (8 * track.bytes) / f.duration;
  }
  f.hasAudio = true;
  f.hasVideo = false;
  return c.result();
}

/** The facts of one trak box; null when it holds anything this reader leaves to music-metadata. */
function readMp4Track(trak: Buffer): Mp4Track | null {
  const track: Mp4Track = {};
  const walk = (b: Buffer): boolean => {
    const boxes = mp4Children(b);
    if (!boxes) return false;
    for (const { name, body } of boxes) {
      switch (name) {
        case 'mdia':
        case 'minf':
        case 'stbl':
          if (!walk(body)) return false;
          break;
        case 'tkhd': {
          const version = body[0];
          if (version > 1 || body.length < (version === 0 ? 38 : 50)) return false;
          track.trackId = body.readUInt32BE(version === 0 ? 12 : 20);
          break;
        }
        case 'hdlr':
          if (body.length < 28) return false;
          track.handler = body.toString('latin1', 8, 12);
          break;
        case 'mdhd': {
          const version = body[0];
          if (version > 1 || body.length < (version === 0 ? 24 : 36)) return false;
          track.timeScale = body.readUInt32BE(version === 0 ? 12 : 20);
          const duration =
            version === 0 ? body.readUInt32BE(16) : body.readUInt32BE(24) * 2 ** 32 + body.readUInt32BE(28);
          if (!Number.isSafeInteger(duration)) return false;
          track.duration = duration;
          break;
        }
        case 'stsd': {
          // One sound sample entry: format, then (QuickTime version 0/1 layout) channels, size, rate.
          if (body.length < 8 || body.readUInt32BE(4) !== 1 || track.format !== undefined) return false;
          const size = body.length >= 12 ? body.readUInt32BE(8) : 0;
          if (size < 36 || size > body.length - 8) return false;
          const entry = body.subarray(8, 8 + size);
          if (!/^[\x20-\x7e]{4}$/.test(entry.toString('latin1', 4, 8))) return false;
          track.format = entry.toString('latin1', 4, 8);
          const version = entry.readInt16BE(16);
          if (version !== 0 && version !== 1) return false;
          track.channels = entry.readInt16BE(24);
          track.sampleSize = entry.readInt16BE(26);
          track.sampleRate = entry.readUInt16BE(32) + entry.readUInt16BE(34) / 10000;
          break;
        }
        case 'stsz': {
          if (body.length < 12) return false;
          const count = body.readInt32BE(8);
          if (count < 0 || body.length !== 12 + 4 * count) return false;
          let bytes = 0;
          for (let i = 0; i < count; i++) bytes += body.readInt32BE(12 + 4 * i);
          track.bytes = bytes;
          break;
        }
        case 'stco':
        case 'stts':
        case 'stsc': {
          const width = name === 'stco' ? 4 : name === 'stts' ? 8 : 12;
          if (body.length < 8 || body.length !== 8 + width * body.readUInt32BE(4)) return false;
          break;
        }
        default:
          if (MP4_SPECIAL.has(name)) return false;
      }
    }
    return true;
  };
  if (!walk(trak) || track.trackId === undefined) return null;
  return track;
}

/** The iTunes items of moov/udta/meta/ilst; false when anything there is left to music-metadata. */
function addMp4Items(c: FastCollector, udta: Buffer): boolean {
  const boxes = mp4Children(udta);
  if (!boxes) return false;
  for (const box of boxes) {
    if (box.name !== 'meta') {
      if (MP4_SPECIAL.has(box.name)) return false;
      continue;
    }
    // meta is a full box (version and flags first) in MP4 files; QuickTime's has none.
    if (box.body.length < 8) return false;
    const padding = box.body.toString('latin1', 4, 8) === 'hdlr' ? 0 : 4;
    const children = mp4Children(box.body.subarray(padding));
    if (!children) return false;
    for (const child of children) {
      if (child.name === 'ilst') {
        const items = mp4Children(child.body);
        if (!items) return false;
        for (const item of items) if (!addMp4Item(c, item)) return false;
      } else if (child.name !== 'hdlr' && child.name !== 'free' && MP4_SPECIAL.has(child.name)) {
        return false;
      }
    }
  }
  return true;
}

function addMp4Item(c: FastCollector, item: Mp4Box): boolean {
  if (MP4_SPECIAL.has(item.name)) return false;
  const parts = mp4Children(item.body);
  if (!parts) return false;
  let key = item.name;
  for (const part of parts) {
    const b = part.body;
    if (part.name === 'mean' || part.name === 'name') {
      if (b.length < 4) return false;
      key += `:${utf8.decode(b.subarray(4))}`;
      continue;
    }
    if (part.name !== 'data' || b.length < 8 || b[0] !== 0) return false;
    const type = (b[1] << 16) | (b[2] << 8) | b[3];
    const value = b.subarray(8);
    switch (type) {
      case 0:
        if (key === 'trkn' || key === 'disk') {
          if (value.length < 6) return false;
          c.addTag('iTunes', key, `${value[3]}/${value[5]}`);
        } else if (key === 'gnre' || key === 'rate') {
          return false;
        }
        break;
      case 1:
      case 18:
        c.addTag('iTunes', key, utf8.decode(value));
        break;
      case 13:
      case 14:
        c.addTag('iTunes', key, { format: type === 13 ? 'image/jpeg' : 'image/png', data: Uint8Array.from(value) });
        break;
      case 21:
      case 22:
        if (value.length !== 1 && value.length !== 2 && value.length !== 4) return false;
        c.addTag('iTunes', key, type === 21 ? value.readIntBE(0, value.length) : value.readUIntBE(0, value.length));
        break;
      case 65:
        if (value.length < 1) return false;
        c.addTag('iTunes', key, value[0]);
        break;
      case 66:
        if (value.length < 2) return false;
        c.addTag('iTunes', key, value.readUInt16BE(0));
        break;
      case 67:
        if (value.length < 4) return false;
        c.addTag('iTunes', key, value.readUInt32BE(0));
        break;
      default:
        return false;
    }
  }
  return true;
}
