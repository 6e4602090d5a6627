import * as iconv from 'iconv-lite';
import { MetadataReadError, formatBytes, formatSeconds } from './errors';
import { findFrameChain, parseAdtsHeader, parseMpegHeader, readVbrHeader, type FrameParser } from './mpeg-frames';
import type { SniffResult } from './sniff';
import { crc32Ogg, crc8, fourCC, isPrintableFourCC, type SourceFile } from './source-file';

/**
 * Cheap structure checks, one per container, written from the format specifications. music-metadata
 * is forgiving by design (it returns what it can from a cut-off file), but a DJ needs to know that a
 * file is cut off. Each check reads a handful of headers and a window at the end of the file, and also
 * yields facts music-metadata would need a full scan for (Ogg and ADTS durations, FLAC pictures).
 */
export interface StructureFacts {
  durationSec?: number;
  /** The duration is derived from the bitrate, not counted. */
  durationEstimated?: boolean;
  /** A FLAC PICTURE block exists (music-metadata is told to skip covers there, so it cannot say). */
  hasPictureBlock?: boolean;
  /** Audio format from the ASF stream properties (music-metadata leaves these out for WMA). */
  audioFormat?: { sampleRate: number; channels: number; bitsPerSample: number | null };
  /** AIFF text chunks, decoded here because music-metadata keeps only 7 bits of each byte. */
  aiffText?: { id: string; value: string }[];
  /** Things worth knowing that do not make the file unreadable. */
  warnings: string[];
}

const truncated = (why: string) => new MetadataReadError('truncated', `truncated: ${why}`);
const corrupt = (why: string) => new MetadataReadError('corrupt', `corrupt: ${why}`);

/** Reads at absolute positions, served from the sniffed head when it covers the range. */
class Reader {
  constructor(
    readonly file: SourceFile,
    private readonly sniff: SniffResult,
  ) {}

  get size(): number {
    return this.file.size;
  }

  async bytes(pos: number, len: number): Promise<Buffer> {
    const rel = pos - this.sniff.offset;
    if (rel >= 0 && rel + len <= this.sniff.head.length) return this.sniff.head.subarray(rel, rel + len);
    return this.file.read(pos, len);
  }
}

export async function checkStructure(file: SourceFile, sniff: SniffResult): Promise<StructureFacts> {
  const r = new Reader(file, sniff);
  switch (sniff.container) {
    case 'flac':
      return checkFlac(r, sniff.offset);
    case 'mpeg':
      return checkMpeg(r, sniff);
    case 'adts':
      return checkAdts(r, sniff);
    case 'ogg':
      return checkOgg(r, sniff.offset);
    case 'mp4':
      return checkMp4(r, sniff.offset);
    case 'wave':
      return checkRiffWave(r, sniff.offset);
    case 'aiff':
      return checkAiff(r, sniff.offset);
    case 'asf':
      return checkAsf(r, sniff.offset);
    default:
      return { warnings: [] };
  }
}

// ---------------------------------------------------------------- FLAC

const FLAC_BLOCK_NAMES = ['STREAMINFO', 'PADDING', 'APPLICATION', 'SEEKTABLE', 'VORBIS_COMMENT', 'CUESHEET', 'PICTURE'];

interface StreamInfo {
  maxBlock: number;
  maxFrame: number;
  sampleRate: number;
  totalSamples: number;
}

async function checkFlac(r: Reader, offset: number): Promise<StructureFacts> {
  const warnings: string[] = [];
  let pos = offset + 4;
  let info: StreamInfo | null = null;
  let hasPictureBlock = false;
  for (let blocks = 0, last = false; !last; blocks++) {
    if (blocks > 4096) throw corrupt('more than 4096 FLAC metadata blocks');
    if (pos + 4 > r.size) throw truncated('the file ends inside the FLAC metadata, before any audio');
    const h = await r.bytes(pos, 4);
    last = (h[0] & 0x80) !== 0;
    const type = h[0] & 0x7f;
    const len = h.readUIntBE(1, 3);
    const name = FLAC_BLOCK_NAMES[type] ?? `type ${type}`;
    if (type === 127) throw corrupt(`invalid FLAC metadata block type 127 at byte ${pos}`);
    if (blocks === 0 && type !== 0) throw corrupt('the first FLAC metadata block is not STREAMINFO');
    if (pos + 4 + len > r.size) {
      throw truncated(
        `the FLAC ${name} block needs ${formatBytes(len)} but only ${formatBytes(r.size - pos - 4)} remain`,
      );
    }
    if (type === 0) {
      if (len < 34) throw corrupt('the FLAC STREAMINFO block is too short');
      const b = await r.bytes(pos + 4, 34);
      info = {
        maxBlock: b.readUInt16BE(2),
        maxFrame: b.readUIntBE(7, 3),
        sampleRate: (b[10] << 12) | (b[11] << 4) | (b[12] >> 4),
        totalSamples: (b[13] & 0x0f) * 2 ** 32 + b.readUInt32BE(14),
      };
    }
    if (type === 6) hasPictureBlock = true;
    pos += 4 + len;
  }
  if (!info || info.sampleRate === 0) throw corrupt('the FLAC STREAMINFO block gives no sample rate');
  if (pos >= r.size) throw truncated('the FLAC file ends after its metadata, with no audio frames');
  if (info.totalSamples > 0) {
    const lastEnd = await lastFlacFrameEnd(r, pos, info);
    if (lastEnd === null) {
      warnings.push('could not find the last FLAC frame to check that the file is complete');
    } else if (lastEnd < info.totalSamples) {
      throw truncated(
        `the audio stops at ${formatSeconds(lastEnd / info.sampleRate)} of ${formatSeconds(info.totalSamples / info.sampleRate)} (the length STREAMINFO gives)`,
      );
    }
  }
  return { warnings, hasPictureBlock };
}

/** The sample number where the last complete-looking frame ends, found from the end of the file. */
async function lastFlacFrameEnd(r: Reader, audioStart: number, info: StreamInfo): Promise<number | null> {
  const window = Math.min(r.size - audioStart, Math.max(64 * 1024, Math.min(4 * 1024 * 1024, 2 * info.maxFrame + 64)));
  const tailStart = r.size - window;
  const tail = await r.bytes(tailStart, window);
  for (let i = tail.length - 6; i >= 0; i--) {
    if (tail[i] !== 0xff || (tail[i + 1] & 0xfe) !== 0xf8) continue;
    const frame = parseFlacFrameHeader(tail, i, info);
    if (frame) return frame.firstSample + frame.blockSize;
  }
  return null;
}

/** A FLAC frame header (RFC 9639 §9.1) checked by its CRC-8; null when the bytes are not one. */
function parseFlacFrameHeader(
  b: Uint8Array,
  p: number,
  info: StreamInfo,
): { firstSample: number; blockSize: number } | null {
  const variable = b[p + 1] & 1;
  const bsCode = b[p + 2] >> 4;
  const srCode = b[p + 2] & 0x0f;
  const channels = b[p + 3] >> 4;
  if (bsCode === 0 || srCode === 15 || channels > 10 || (b[p + 3] & 1) !== 0) return null;
  // The coded number: a UTF-8-like variable-length integer of up to 36 bits.
  let q = p + 4;
  const lead = b[q];
  let extra: number;
  let value: number;
  if (lead < 0x80) [extra, value] = [0, lead];
  else if ((lead & 0xe0) === 0xc0) [extra, value] = [1, lead & 0x1f];
  else if ((lead & 0xf0) === 0xe0) [extra, value] = [2, lead & 0x0f];
  else if ((lead & 0xf8) === 0xf0) [extra, value] = [3, lead & 0x07];
  else if ((lead & 0xfc) === 0xf8) [extra, value] = [4, lead & 0x03];
  else if ((lead & 0xfe) === 0xfc) [extra, value] = [5, lead & 0x01];
  else if (lead === 0xfe) [extra, value] = [6, 0];
  else return null;
  if (q + 1 + extra >= b.length) return null;
  for (let k = 1; k <= extra; k++) {
    if ((b[q + k] & 0xc0) !== 0x80) return null;
    value = value * 64 + (b[q + k] & 0x3f);
  }
  q += 1 + extra;
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 * 2 ** (bsCode - 2);
  else if (bsCode === 6) blockSize = b[q++] + 1;
  else if (bsCode === 7) {
    blockSize = ((b[q] << 8) | b[q + 1]) + 1;
    q += 2;
  } else blockSize = 256 * 2 ** (bsCode - 8);
  if (srCode === 12) q += 1;
  else if (srCode === 13 || srCode === 14) q += 2;
  if (q >= b.length || crc8(b, p, q) !== b[q]) return null;
  // Fixed-blocksize streams number their frames; every frame but the last holds maxBlock samples.
  const firstSample = variable ? value : value * info.maxBlock;
  return { firstSample, blockSize };
}

// ---------------------------------------------------------------- MPEG audio and ADTS

/** Where the audio stream ends: before ID3v1, APEv2 and Lyrics3 tags appended to the file. */
async function audioEndBeforeTrailingTags(r: Reader, notBefore: number): Promise<number> {
  let end = r.size;
  for (let i = 0; i < 4; i++) {
    if (end - 128 >= notBefore && (await r.bytes(end - 128, 3)).toString('latin1') === 'TAG') {
      end -= 128;
      continue;
    }
    if (end - 32 >= notBefore) {
      const footer = await r.bytes(end - 32, 32);
      if (footer.toString('latin1', 0, 8) === 'APETAGEX') {
        const size = footer.readUInt32LE(12) + (footer.readUInt32LE(20) & 0x80000000 ? 32 : 0);
        if (end - size >= notBefore) {
          end -= size;
          continue;
        }
      }
    }
    if (end - 15 >= notBefore && (await r.bytes(end - 9, 9)).toString('latin1') === 'LYRICS200') {
      const size = Number((await r.bytes(end - 15, 6)).toString('latin1'));
      if (Number.isInteger(size) && end - 15 - size >= notBefore) {
        end -= size + 15;
        continue;
      }
    }
    break;
  }
  return end;
}

/**
 * Follows frames from the end of the stream. A last frame that runs past the end is reported as a
 * warning only: many players and rippers leave a short final frame, and the file plays fine.
 */
async function checkTailFrames(
  r: Reader,
  firstFrame: number,
  audioEnd: number,
  parse: FrameParser,
): Promise<string | null> {
  const len = Math.min(audioEnd - firstFrame, 16 * 1024);
  if (len <= 0) return null;
  const tail = await r.bytes(audioEnd - len, len);
  const p = findFrameChain(tail, parse, 0, tail.length);
  if (p < 0) return null;
  let q = p;
  for (;;) {
    const h = parse(tail, q);
    if (!h) return null;
    if (q + h.length > tail.length) {
      return `the last audio frame is cut short by ${formatBytes(q + h.length - tail.length)}`;
    }
    q += h.length;
  }
}

async function checkMpeg(r: Reader, sniff: SniffResult): Promise<StructureFacts> {
  const warnings: string[] = [];
  const firstFrame = sniff.offset + sniff.firstFramePos;
  const vbr = readVbrHeader(sniff.head, sniff.firstFramePos);
  const audioEnd = await audioEndBeforeTrailingTags(r, firstFrame);
  if (vbr?.bytes) {
    const expectedEnd = firstFrame + vbr.bytes;
    const missing = expectedEnd - audioEnd;
    if (missing > Math.max(8 * 1024, vbr.bytes / 100)) {
      throw truncated(
        `the MP3 stream should be ${formatBytes(vbr.bytes)} long (its Xing/VBRI header says so) but the file holds only ${formatBytes(Math.max(0, audioEnd - firstFrame))} of it`,
      );
    }
  }
  const cut = await checkTailFrames(r, firstFrame, audioEnd, parseMpegHeader);
  if (cut) warnings.push(cut);
  const facts: StructureFacts = { warnings };
  if (!vbr?.frames) {
    // Without a Xing/VBRI frame count the length can only be estimated, here from the average frame
    // size at the start and in the middle of the stream (exact for constant bitrate); counting every
    // frame would mean reading the whole file.
    const middle = firstFrame + Math.floor((audioEnd - firstFrame) / 2);
    const samples = [averageFrames(sniff.head, sniff.firstFramePos, parseMpegHeader)];
    if (middle > sniff.offset + sniff.head.length) {
      const window = await r.bytes(middle, 64 * 1024);
      const start = findFrameChain(window, parseMpegHeader, 0, window.length);
      if (start >= 0) samples.push(averageFrames(window, start, parseMpegHeader));
    }
    const bytes = samples.reduce((a, s) => a + s.bytes, 0);
    const seconds = samples.reduce((a, s) => a + s.seconds, 0);
    if (bytes > 0 && seconds > 0) {
      facts.durationSec = ((audioEnd - firstFrame) * seconds) / bytes;
      facts.durationEstimated = true;
    }
  }
  return facts;
}

/** Bytes and seconds of the run of frames starting at `p` inside `buf`. */
function averageFrames(buf: Uint8Array, p: number, parse: FrameParser): { bytes: number; seconds: number } {
  let bytes = 0;
  let seconds = 0;
  for (let h = parse(buf, p); h && p + h.length <= buf.length; h = parse(buf, p)) {
    bytes += h.length;
    seconds += h.samples / h.sampleRate;
    p += h.length;
  }
  return { bytes, seconds };
}

async function checkAdts(r: Reader, sniff: SniffResult): Promise<StructureFacts> {
  const warnings: string[] = [];
  const firstFrame = sniff.offset + sniff.firstFramePos;
  const audioEnd = await audioEndBeforeTrailingTags(r, firstFrame);
  const cut = await checkTailFrames(r, firstFrame, audioEnd, parseAdtsHeader);
  if (cut) warnings.push(cut);
  // ADTS has no length field anywhere: scale the frames at the start to the whole stream.
  const { bytes, seconds } = averageFrames(sniff.head, sniff.firstFramePos, parseAdtsHeader);
  if (bytes === 0 || seconds === 0) return { warnings };
  return { warnings, durationSec: ((audioEnd - firstFrame) * seconds) / bytes, durationEstimated: true };
}

// ---------------------------------------------------------------- Ogg

interface OggPage {
  pos: number;
  end: number;
  granule: number;
  serial: number;
  eos: boolean;
}

function oggPageAt(b: Buffer, i: number): OggPage | 'cut' | null {
  if (i + 4 < b.length && b[i + 4] !== 0) return null; // stream structure version is always 0
  if (i + 27 > b.length) return 'cut';
  const nsegs = b[i + 26];
  if (i + 27 + nsegs > b.length) return 'cut';
  let body = 0;
  for (let k = 0; k < nsegs; k++) body += b[i + 27 + k];
  const end = i + 27 + nsegs + body;
  if (end > b.length) return 'cut';
  const stored = b.readUInt32LE(i + 22);
  const page = Buffer.from(b.subarray(i, end));
  page.writeUInt32LE(0, 22);
  if (crc32Ogg(page) !== stored) return null;
  const lo = b.readUInt32LE(i + 6);
  const hi = b.readUInt32LE(i + 10);
  const granule = hi === 0xffffffff && lo === 0xffffffff ? -1 : hi * 2 ** 32 + lo;
  return { pos: i, end, granule, serial: b.readUInt32LE(i + 14), eos: (b[i + 5] & 4) !== 0 };
}

async function checkOgg(r: Reader, offset: number): Promise<StructureFacts> {
  const warnings: string[] = [];
  const head = await r.bytes(offset, Math.min(r.size - offset, 64 * 1024));
  const first = oggPageAt(head, 0);
  if (first === 'cut') throw truncated('the file ends inside the first Ogg page');
  if (!first) throw corrupt('the first Ogg page fails its checksum');
  const payload = head.subarray(27 + head[26], first.end);
  let rate = 0;
  let preSkip = 0;
  if (payload.toString('latin1', 0, 7) === '\x01vorbis' && payload.length >= 16) rate = payload.readUInt32LE(12);
  else if (payload.toString('latin1', 0, 8) === 'OpusHead' && payload.length >= 12)
    [rate, preSkip] = [48000, payload.readUInt16LE(10)];
  else if (payload.toString('latin1', 0, 5) === '\x7fFLAC' && payload.length >= 30)
    rate = (payload[27] << 12) | (payload[28] << 4) | (payload[29] >> 4);
  else if (payload.toString('latin1', 0, 8) === 'Speex   ' && payload.length >= 40) rate = payload.readUInt32LE(36);

  // The largest Ogg page is 65,307 bytes, so the last page header lies in the last 128 KiB.
  const window = Math.min(r.size - offset, 128 * 1024);
  const tailStart = r.size - window;
  const tail = await r.bytes(tailStart, window);
  let last: OggPage | null = null;
  let durationPage: OggPage | null = null;
  for (let i = tail.lastIndexOf('OggS'); i >= 0; i = i > 0 ? tail.lastIndexOf('OggS', i - 1) : -1) {
    const page = oggPageAt(tail, i);
    if (page === 'cut') {
      if (last === null)
        throw truncated(`the last Ogg page is cut off ${formatBytes(r.size - (tailStart + i))} after it starts`);
      continue;
    }
    if (!page) continue;
    if (!last) {
      last = page;
      if (page.end < tail.length)
        warnings.push(`${formatBytes(tail.length - page.end)} of unknown data after the last Ogg page`);
      if (!page.eos) warnings.push('the Ogg stream has no end-of-stream page; it may have been cut short');
    }
    if (page.serial === first.serial && page.granule >= 0) {
      durationPage = page;
      break;
    }
  }
  if (!last) throw corrupt('no intact Ogg page in the last 128 KiB of the file');
  const facts: StructureFacts = { warnings };
  if (rate > 0 && durationPage) facts.durationSec = Math.max(0, durationPage.granule - preSkip) / rate;
  return facts;
}

// ---------------------------------------------------------------- MP4 / QuickTime

async function checkMp4(r: Reader, offset: number): Promise<StructureFacts> {
  const warnings: string[] = [];
  let pos = offset;
  let sawMoov = false;
  for (let boxes = 0; pos + 8 <= r.size; boxes++) {
    if (boxes > 100_000) throw corrupt('more than 100,000 top-level MP4 boxes');
    const h = await r.bytes(pos, 16);
    const type = fourCC(h, 4);
    if (!isPrintableFourCC(h, 4)) {
      if (sawMoov) {
        warnings.push(`${formatBytes(r.size - pos)} of unknown data after the last MP4 box`);
        break;
      }
      throw corrupt(`no valid MP4 box at byte ${pos}`);
    }
    let size = h.readUInt32BE(0);
    let headerLen = 8;
    if (size === 1) {
      if (h.length < 16) throw truncated(`the file ends inside the '${type}' box header`);
      size = Number(h.readBigUInt64BE(8));
      headerLen = 16;
    } else if (size === 0) {
      size = r.size - pos; // "extends to the end of the file"
    }
    if (size < headerLen) throw corrupt(`the '${type}' box at byte ${pos} has an impossible size`);
    if (pos + size > r.size) {
      throw truncated(`the '${type}' box needs ${formatBytes(size)} but only ${formatBytes(r.size - pos)} remain`);
    }
    if (type === 'moov') sawMoov = true;
    pos += size;
  }
  if (pos < r.size && r.size - pos < 8) warnings.push(`${formatBytes(r.size - pos)} of stray data at the end`);
  if (!sawMoov) throw truncated("no 'moov' box: the file was never finished (a recording or download that stopped)");
  return { warnings };
}

// ---------------------------------------------------------------- RIFF/WAVE, AIFF

interface ChunkWalk {
  ids: Set<string>;
  warnings: string[];
  texts: { id: string; value: string }[];
}

/** Walks IFF-style chunks; the audio chunk may be open-ended in streaming and RF64 files. */
async function walkChunks(
  r: Reader,
  start: number,
  littleEndian: boolean,
  audioChunk: string,
  openEndedAudio: boolean,
  textIds: ReadonlySet<string>,
): Promise<ChunkWalk> {
  const walk: ChunkWalk = { ids: new Set(), warnings: [], texts: [] };
  let pos = start;
  for (let chunks = 0; pos + 8 <= r.size; chunks++) {
    if (chunks > 100_000) throw corrupt('more than 100,000 chunks');
    const h = await r.bytes(pos, 8);
    const id = fourCC(h, 0);
    if (!isPrintableFourCC(h, 0)) {
      if (walk.ids.has(audioChunk)) {
        walk.warnings.push(`${formatBytes(r.size - pos)} of unknown data after the last chunk`);
        break;
      }
      throw corrupt(`no valid chunk at byte ${pos}`);
    }
    const size = littleEndian ? h.readUInt32LE(4) : h.readUInt32BE(4);
    walk.ids.add(id);
    if (id === audioChunk && (openEndedAudio || size === 0xffffffff || size === 0)) break;
    if (pos + 8 + size > r.size) {
      const what = id === audioChunk ? 'the audio data chunk' : `the '${id.trim()}' chunk`;
      throw truncated(`${what} needs ${formatBytes(size)} but only ${formatBytes(r.size - pos - 8)} remain`);
    }
    if (textIds.has(id) && size > 0)
      walk.texts.push({ id: id.trim(), value: decodeChunkText(await r.bytes(pos + 8, Math.min(size, 4096))) });
    pos += 8 + size + (size & 1);
  }
  return walk;
}

/** Chunk text carries no encoding: UTF-8 when it is valid UTF-8, else Windows-1252. */
function decodeChunkText(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  const b = end >= 0 ? bytes.subarray(0, end) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return iconv.decode(b, 'win1252');
  }
}

async function checkRiffWave(r: Reader, offset: number): Promise<StructureFacts> {
  const h = await r.bytes(offset, 12);
  const rf64 = fourCC(h, 0) !== 'RIFF';
  const walk = await walkChunks(r, offset + 12, true, 'data', rf64, new Set());
  if (!walk.ids.has('fmt ')) throw corrupt("no 'fmt ' chunk describing the audio");
  if (!walk.ids.has('data')) throw truncated('the file ends before the audio data chunk');
  return { warnings: walk.warnings };
}

const AIFF_TEXT_CHUNKS: ReadonlySet<string> = new Set(['NAME', 'AUTH', '(c) ', 'ANNO']);

async function checkAiff(r: Reader, offset: number): Promise<StructureFacts> {
  const walk = await walkChunks(r, offset + 12, false, 'SSND', false, AIFF_TEXT_CHUNKS);
  if (!walk.ids.has('COMM')) throw corrupt("no 'COMM' chunk describing the audio");
  if (!walk.ids.has('SSND')) throw truncated('the file ends before the sound data chunk');
  return { warnings: walk.warnings, aiffText: walk.texts };
}

// ---------------------------------------------------------------- ASF (WMA/WMV)

const ASF_DATA_GUID = Buffer.from('3626b2758e66cf11a6d900aa0062ce6c', 'hex');
const ASF_STREAM_PROPERTIES_GUID = Buffer.from('9107dcb7b7a9cf118ee600c00c205365', 'hex');
const ASF_AUDIO_MEDIA_GUID = Buffer.from('409e69f84d5bcf11a8fd00805f5c442b', 'hex');
const ASF_MAX_HEADER = 1024 * 1024;

async function checkAsf(r: Reader, offset: number): Promise<StructureFacts> {
  const warnings: string[] = [];
  const h = await r.bytes(offset, 30);
  if (h.length < 30) throw truncated('the file ends inside the ASF header');
  const headerSize = Number(h.readBigUInt64LE(16));
  if (offset + headerSize > r.size) {
    throw truncated(`the ASF header needs ${formatBytes(headerSize)} but only ${formatBytes(r.size - offset)} remain`);
  }
  const facts: StructureFacts = { warnings };
  if (headerSize <= ASF_MAX_HEADER)
    facts.audioFormat = asfAudioFormat(await r.bytes(offset, headerSize), h.readUInt32LE(24));
  const dataPos = offset + headerSize;
  const d = await r.bytes(dataPos, 24);
  if (d.length < 24) throw truncated('the file ends after the ASF header, before any audio');
  if (!d.subarray(0, 16).equals(ASF_DATA_GUID)) {
    warnings.push('the ASF data object does not follow the header');
    return facts;
  }
  const dataSize = Number(d.readBigUInt64LE(16));
  if (dataSize > 0 && dataPos + dataSize > r.size) {
    throw truncated(
      `the ASF data object needs ${formatBytes(dataSize)} but only ${formatBytes(r.size - dataPos)} remain`,
    );
  }
  return facts;
}

/** WAVEFORMATEX of the first audio stream in the ASF header objects. */
function asfAudioFormat(header: Buffer, objectCount: number): StructureFacts['audioFormat'] {
  let pos = 30;
  for (let i = 0; i < objectCount && pos + 24 <= header.length; i++) {
    const size = Number(header.readBigUInt64LE(pos + 16));
    if (size < 24 || pos + size > header.length) return undefined;
    if (header.subarray(pos, pos + 16).equals(ASF_STREAM_PROPERTIES_GUID) && size >= 94) {
      if (header.subarray(pos + 24, pos + 40).equals(ASF_AUDIO_MEDIA_GUID)) {
        const wave = pos + 78;
        const channels = header.readUInt16LE(wave + 2);
        const sampleRate = header.readUInt32LE(wave + 4);
        const bits = header.readUInt16LE(wave + 14);
        if (channels > 0 && sampleRate > 0) return { sampleRate, channels, bitsPerSample: bits > 0 ? bits : null };
      }
    }
    pos += size;
  }
  return undefined;
}
