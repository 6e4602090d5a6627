/**
 * MPEG audio (MP1/2/3) and AAC ADTS frame headers, read from their published layouts (ISO 11172-3,
 * 13818-3, 13818-7). Used to tell real audio from bytes that merely start with 0xFF, to find where a
 * stream ends, and to estimate durations without reading the whole file.
 */

export interface FrameHeader {
  /** Bytes in the whole frame, header included. */
  length: number;
  sampleRate: number;
  samples: number;
  /** kbit/s for MPEG audio; 0 for ADTS, whose frames carry no bitrate. */
  bitrateKbps: number;
  /** Fields that stay the same from frame to frame in one stream. */
  streamKey: number;
  channels: number;
}

const BITRATES_KBPS = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as Record<
  number,
  number[]
>;
const ADTS_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The MPEG audio frame header at `p`, or null when the bytes there are not one. */
export function parseMpegHeader(buf: Uint8Array, p: number): FrameHeader | null {
  if (p + 4 > buf.length || buf[p] !== 0xff || (buf[p + 1] & 0xe0) !== 0xe0) return null;
  const version = (buf[p + 1] >> 3) & 3; // 0 = 2.5, 1 reserved, 2 = MPEG-2, 3 = MPEG-1
  const layer = (buf[p + 1] >> 1) & 3; // 0 reserved, 1 = III, 2 = II, 3 = I
  const bitrateIndex = buf[p + 2] >> 4;
  const rateIndex = (buf[p + 2] >> 2) & 3;
  const padding = (buf[p + 2] >> 1) & 1;
  const emphasis = buf[p + 3] & 3;
  // Free-format (index 0) frames have no length in the header; real files almost never use them.
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || emphasis === 2)
    return null;
  const sampleRate = SAMPLE_RATES[version][rateIndex];
  const v1 = version === 3;
  const table = v1
    ? layer === 3
      ? BITRATES_KBPS.v1l1
      : layer === 2
        ? BITRATES_KBPS.v1l2
        : BITRATES_KBPS.v1l3
    : layer === 3
      ? BITRATES_KBPS.v2l1
      : BITRATES_KBPS.v2l23;
  const bitrateKbps = table[bitrateIndex];
  let length: number;
  let samples: number;
  if (layer === 3) {
    length = (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + padding) * 4;
    samples = 384;
  } else if (layer === 2 || v1) {
    length = Math.floor((144 * bitrateKbps * 1000) / sampleRate) + padding;
    samples = 1152;
  } else {
    length = Math.floor((72 * bitrateKbps * 1000) / sampleRate) + padding;
    samples = 576;
  }
  const channelMode = buf[p + 3] >> 6;
  return {
    length,
    sampleRate,
    samples,
    bitrateKbps,
    streamKey: (version << 4) | (layer << 2) | rateIndex,
    channels: channelMode === 3 ? 1 : 2,
  };
}

/** The AAC ADTS frame header at `p`, or null. */
export function parseAdtsHeader(buf: Uint8Array, p: number): FrameHeader | null {
  if (p + 7 > buf.length || buf[p] !== 0xff || (buf[p + 1] & 0xf6) !== 0xf0) return null;
  const profile = buf[p + 2] >> 6;
  const rateIndex = (buf[p + 2] >> 2) & 0xf;
  if (rateIndex >= ADTS_SAMPLE_RATES.length) return null;
  const channelConfig = ((buf[p + 2] & 1) << 2) | (buf[p + 3] >> 6);
  const length = ((buf[p + 3] & 3) << 11) | (buf[p + 4] << 3) | (buf[p + 5] >> 5);
  const protectionAbsent = buf[p + 1] & 1;
  if (length < (protectionAbsent ? 7 : 9)) return null;
  const rawBlocks = (buf[p + 6] & 3) + 1;
  return {
    length,
    sampleRate: ADTS_SAMPLE_RATES[rateIndex],
    samples: 1024 * rawBlocks,
    bitrateKbps: 0,
    streamKey: (profile << 8) | (rateIndex << 4) | channelConfig,
    channels: channelConfig || 2,
  };
}

export type FrameParser = (buf: Uint8Array, p: number) => FrameHeader | null;

/**
 * The first offset in [from, to) where `minFrames` frames follow each other back to back with the
 * same stream fields. Three in a row practically never happen by chance in non-audio bytes.
 */
export function findFrameChain(buf: Uint8Array, parse: FrameParser, from: number, to: number, minFrames = 3): number {
  const end = Math.min(to, buf.length - 4);
  for (let p = Math.max(0, from); p < end; p++) {
    if (buf[p] !== 0xff) continue;
    const first = parse(buf, p);
    if (!first) continue;
    let q = p + first.length;
    let n = 1;
    while (n < minFrames) {
      const next = parse(buf, q);
      if (!next || next.streamKey !== first.streamKey) break;
      q += next.length;
      n++;
    }
    if (n >= minFrames) return p;
  }
  return -1;
}

/** Xing/Info (LAME) or VBRI (Fraunhofer) header in the first frame: total frames and bytes of the stream. */
export interface VbrInfo {
  frames: number | null;
  bytes: number | null;
}

export function readVbrHeader(buf: Uint8Array, framePos: number): VbrInfo | null {
  const version = (buf[framePos + 1] >> 3) & 3;
  const mono = buf[framePos + 3] >> 6 === 3;
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const x = framePos + 4 + sideInfo;
  const tag = x + 4 <= buf.length ? String.fromCharCode(buf[x], buf[x + 1], buf[x + 2], buf[x + 3]) : '';
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if ((tag === 'Xing' || tag === 'Info') && x + 16 <= buf.length) {
    const flags = view.getUint32(x + 4);
    let at = x + 8;
    let frames: number | null = null;
    let bytes: number | null = null;
    if (flags & 1) {
      frames = view.getUint32(at);
      at += 4;
    }
    if (flags & 2 && at + 4 <= buf.length) bytes = view.getUint32(at);
    return { frames, bytes };
  }
  const v = framePos + 4 + 32;
  if (v + 18 <= buf.length && String.fromCharCode(buf[v], buf[v + 1], buf[v + 2], buf[v + 3]) === 'VBRI') {
    return { bytes: view.getUint32(v + 10), frames: view.getUint32(v + 14) };
  }
  return null;
}
