import * as path from 'node:path';
import { classifyFileName, extensionOf } from '@crateflow/contracts';
import { MetadataReadError } from './errors';
import { readFastPath } from './fast-path';
import { EMPTY_TAG_FIELDS, buildTagFields, type CommonTags, type NativeTagLists, type TagFields } from './fields';
import { parseAudioMetadata, type AudioMetadata } from './music-metadata.adapter';
import { sanitiseRawTags, type RawTagDump } from './raw-dump';
import { PROBE_ONLY_CONTAINERS, sniffContainer, type Container, type SniffResult } from './sniff';
import { ReadBudget, ioError, openSourceFile, timeoutError, type IoMode } from './source-file';
import { checkStructure, type StructureFacts } from './structure';
import { normaliseText } from './text';
import { probeMediaFile, type ProbeResult } from './video-probe';

export interface ReadTagsOptions {
  /** Most bytes the reader may pull from one file (tags, headers, structure checks). Default 32 MiB. */
  maxBytes?: number;
  /** Per-file time limit in milliseconds. Default 15 s. */
  timeoutMs?: number;
  /**
   * `async` (default) never blocks the event loop. `sync` reads with blocking calls, several times
   * cheaper per file; use it only where blocking is harmless, as in TagReaderPool's worker threads.
   */
  io?: IoMode;
  /**
   * Read plain MP3, FLAC and Ogg Vorbis files with the built-in readers (fast-path.ts), which give
   * the same result several times faster. Default true; false sends every file through music-metadata.
   */
  fastPath?: boolean;
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface VideoFacts {
  codec: string | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
}

export interface StreamFacts {
  /** The container as its tools name it ("MPEG", "FLAC", "M4A/isom/iso2", "matroska,webm", ...). */
  containerName: string | null;
  codec: string | null;
  codecProfile: string | null;
  lossless: boolean | null;
  durationSec: number | null;
  /** The duration comes from the bitrate and the file size, not from the stream's own count. */
  durationEstimated: boolean;
  /** Average bits per second. */
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  bitsPerSample: number | null;
  hasAudio: boolean;
  hasVideo: boolean;
  video: VideoFacts | null;
}

export interface TagReadResult {
  /** What the bytes are, from the file's own headers (not its name). */
  container: Container;
  /** The extension names another format than the content has; the content was read. */
  extensionMismatch: boolean;
  stream: StreamFacts;
  tags: TagFields;
  /** A picture is embedded (the picture itself is not read into the result). */
  hasCoverArt: boolean;
  /** Tag formats found, e.g. ["ID3v2.3", "ID3v1"]. */
  tagTypes: string[];
  raw: RawTagDump;
  /** Readable notes about oddities that did not stop the read. */
  warnings: string[];
  bytesRead: number;
}

const CONTAINER_NAMES: Record<Container, string> = {
  mpeg: 'MPEG audio',
  adts: 'AAC (ADTS)',
  flac: 'FLAC',
  ogg: 'Ogg',
  mp4: 'MP4',
  wave: 'WAV',
  aiff: 'AIFF',
  asf: 'ASF (WMA/WMV)',
  matroska: 'Matroska',
  avi: 'AVI',
  flv: 'FLV',
  ape: "Monkey's Audio",
  wavpack: 'WavPack',
  musepack: 'Musepack',
  dsf: 'DSF',
  dsdiff: 'DSDIFF',
};

/**
 * The parser is chosen by handing music-metadata a file name with the canonical extension of the
 * sniffed container (its own content guessing is not needed and its MIME-type route is not used).
 */
const PARSER_EXTENSIONS: Partial<Record<Container, string>> = {
  mpeg: 'mp3',
  adts: 'aac',
  flac: 'flac',
  ogg: 'ogg',
  mp4: 'm4a',
  wave: 'wav',
  aiff: 'aif',
  asf: 'wma',
  matroska: 'mka',
  ape: 'ape',
  wavpack: 'wv',
  musepack: 'mpc',
  dsf: 'dsf',
  dsdiff: 'dff',
};

const CONTAINER_BY_EXTENSION: Record<string, Container> = {
  mp3: 'mpeg',
  mp2: 'mpeg',
  aac: 'adts',
  flac: 'flac',
  ogg: 'ogg',
  oga: 'ogg',
  opus: 'ogg',
  m4a: 'mp4',
  mp4: 'mp4',
  m4v: 'mp4',
  mov: 'mp4',
  wav: 'wave',
  aif: 'aiff',
  aiff: 'aiff',
  wma: 'asf',
  wmv: 'asf',
  mkv: 'matroska',
  webm: 'matroska',
  avi: 'avi',
  flv: 'flv',
};

/** Parser warnings that only describe tag padding or that our own structure check has settled. */
// eslint-disable-next-line no-control-regex -- matching the NUL that music-metadata prints is the point
const NOISE_WARNINGS = [/frame-header-ID: \u0000/, /header has empty tag type/, /data chunk (size|length) exceed/i];
const MAX_WARNINGS = 20;

/**
 * Reads tags and stream facts of one media file. Never writes anything. Fails with a
 * MetadataReadError (a kind and a readable reason) for empty, truncated, corrupt, non-media, oversized
 * or unreadable files, and when the per-file time limit passes; anything else thrown is a bug.
 */
export async function readTags(filePath: string | Buffer, options: ReadTagsOptions = {}): Promise<TagReadResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const budget = new ReadBudget(options.maxBytes ?? DEFAULT_MAX_BYTES, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  // The budget stops parsing at its next read after the deadline; this also covers a read that hangs
  // (a stalled network share). The abandoned read still closes its file when it ends.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(timeoutMs)), timeoutMs);
  });
  const work = readWithinBudget(filePath, budget, timeoutMs, options.io ?? 'async', options.fastPath ?? true);
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readWithinBudget(
  filePath: string | Buffer,
  budget: ReadBudget,
  timeoutMs: number,
  io: IoMode,
  fastPath: boolean,
): Promise<TagReadResult> {
  // Extensions are ASCII, so a name that is not valid UTF-8 still yields its extension through latin1.
  const name = typeof filePath === 'string' ? path.basename(filePath) : path.basename(filePath.toString('latin1'));
  const extension = extensionOf(name);
  const file = await openSourceFile(filePath, budget, io);
  const size = file.size;
  try {
    await file.loadWindows();
    const sniff = await sniffContainer(file, extension);
    const facts = await checkStructure(file, sniff);
    const warnings = [...facts.warnings];
    const expected = CONTAINER_BY_EXTENSION[extension];
    const extensionMismatch = expected !== undefined && expected !== sniff.container;
    if (extensionMismatch)
      warnings.push(
        `the .${extension} extension does not match the content, which is ${CONTAINER_NAMES[sniff.container]}`,
      );

    if (PROBE_ONLY_CONTAINERS.has(sniff.container) || classifyFileName(name) === 'video') {
      const probe = await probeMediaFile(file.fd, Math.max(1000, timeoutMs));
      return fromProbe(probe, sniff, extensionMismatch, warnings, budget.bytesRead);
    }
    let meta: AudioMetadata | null = fastPath ? readFastPath(file, sniff) : null;
    if (!meta) {
      try {
        meta = await parseAudioMetadata({
          source: file,
          parserHint: `file.${PARSER_EXTENSIONS[sniff.container]}`,
          skipCovers: sniff.container === 'flac',
        });
      } catch (err) {
        throw toReadError(err, sniff.container);
      }
    }
    return fromMetadata(meta, size, sniff, facts, extensionMismatch, warnings, budget.bytesRead);
  } finally {
    await file.close();
  }
}

function toReadError(err: unknown, container: Container): MetadataReadError {
  if (err instanceof MetadataReadError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return ioError(err);
  const message = normaliseText(String(e.message ?? err), { maxLength: 300 });
  switch (e.name) {
    case 'EndOfStreamError':
      return new MetadataReadError(
        'truncated',
        `truncated: the file ends in the middle of its ${CONTAINER_NAMES[container]} data`,
        { cause: err },
      );
    case 'CouldNotDetermineFileTypeError':
    case 'UnsupportedFileTypeError':
      return new MetadataReadError('not-media', `not an audio file: ${message}`, { cause: err });
    default:
      return new MetadataReadError('corrupt', `corrupt: ${message}`, { cause: err });
  }
}

const LOSSLESS_CODEC = /flac|alac|pcm|wavpack|monkey|\bape\b|lossless|tta|dsd|mlp|truehd/i;

function cleanWarnings(list: readonly string[]): string[] {
  const out = list
    .filter((w) => !NOISE_WARNINGS.some((re) => re.test(w)))
    .map((w) => normaliseText(w, { maxLength: 300 }));
  return [...new Set(out)].slice(0, MAX_WARNINGS);
}

function fromMetadata(
  meta: AudioMetadata,
  size: number,
  sniff: SniffResult,
  facts: StructureFacts,
  extensionMismatch: boolean,
  warnings: string[],
  bytesRead: number,
): TagReadResult {
  const f = meta.format;
  if (!f.sampleRate && !f.codec && f.duration === undefined && !f.hasVideo) {
    throw new MetadataReadError(
      'not-media',
      `not an audio file: no audio stream found in the ${CONTAINER_NAMES[sniff.container]} container`,
    );
  }
  let native = meta.native as NativeTagLists;
  const distrustCommon = new Set<keyof CommonTags>();
  if (facts.aiffText && facts.aiffText.length > 0) {
    native = { ...native, AIFF: facts.aiffText };
    // music-metadata keeps 7 bits of each byte of AIFF text chunks; without an ID3 chunk its title
    // and artist come from them, so ours (decoded from the same chunks) take their place.
    if (!f.tagTypes.some((t) => t.startsWith('ID3')))
      for (const k of ['title', 'artist', 'artists', 'comment'] as const) distrustCommon.add(k);
  }
  // Our estimate averages many frames; music-metadata's (when it gives one) assumes the first frame's bitrate.
  const durationSec = (facts.durationEstimated ? facts.durationSec : (f.duration ?? facts.durationSec)) ?? null;
  const audioBytes = size - sniff.id3v2Bytes;
  const bitrate =
    facts.durationEstimated || !f.bitrate ? (durationSec ? (audioBytes * 8) / durationSec : null) : f.bitrate;
  const videoTrack = f.trackInfo?.find((t) => t.video);
  return {
    container: sniff.container,
    extensionMismatch,
    stream: {
      containerName: f.container ?? null,
      codec: f.codec ?? null,
      codecProfile: f.codecProfile ?? null,
      lossless: f.lossless ?? (f.codec ? LOSSLESS_CODEC.test(f.codec) : null),
      durationSec: durationSec === null ? null : Math.round(durationSec * 1000) / 1000,
      durationEstimated: facts.durationEstimated ?? false,
      bitrate: bitrate === null || !Number.isFinite(bitrate) ? null : Math.round(bitrate),
      sampleRate: f.sampleRate ?? facts.audioFormat?.sampleRate ?? null,
      channels: f.numberOfChannels ?? facts.audioFormat?.channels ?? null,
      bitsPerSample: f.bitsPerSample ?? facts.audioFormat?.bitsPerSample ?? null,
      hasAudio: f.hasAudio ?? true,
      hasVideo: f.hasVideo ?? false,
      video: videoTrack
        ? {
            codec: videoTrack.codecName ?? null,
            width: videoTrack.video?.pixelWidth ?? null,
            height: videoTrack.video?.pixelHeight ?? null,
            frameRate: null,
          }
        : null,
    },
    tags: buildTagFields({ common: meta.common as CommonTags, native, distrustCommon }),
    hasCoverArt: (meta.common.picture?.length ?? 0) > 0 || facts.hasPictureBlock === true,
    tagTypes: [...f.tagTypes],
    raw: sanitiseRawTags(native),
    warnings: cleanWarnings([...warnings, ...meta.quality.warnings.map((w) => w.message)]),
    bytesRead,
  };
}

function fromProbe(
  probe: ProbeResult,
  sniff: SniffResult,
  extensionMismatch: boolean,
  warnings: string[],
  bytesRead: number,
): TagReadResult {
  const audio = probe.streams.find((s) => s.codecType === 'audio');
  const video = probe.streams.find((s) => s.codecType === 'video' && !s.attachedPicture);
  if (!audio && !video)
    throw new MetadataReadError(
      'not-media',
      `not a media file: no audio or video stream in the ${CONTAINER_NAMES[sniff.container]} container`,
    );
  const native: NativeTagLists = probe.tags.length > 0 ? { ffprobe: probe.tags } : {};
  return {
    container: sniff.container,
    extensionMismatch,
    stream: {
      containerName: probe.formatName,
      codec: audio?.codec ?? null,
      codecProfile: null,
      lossless: audio?.codec ? LOSSLESS_CODEC.test(audio.codec) : null,
      durationSec: probe.durationSec === null ? null : Math.round(probe.durationSec * 1000) / 1000,
      durationEstimated: false,
      bitrate: probe.bitrate === null ? null : Math.round(probe.bitrate),
      sampleRate: audio?.sampleRate ?? null,
      channels: audio?.channels ?? null,
      bitsPerSample: audio?.bitsPerSample ?? null,
      hasAudio: audio !== undefined,
      hasVideo: video !== undefined,
      video: video
        ? { codec: video.codec, width: video.width, height: video.height, frameRate: video.frameRate }
        : null,
    },
    tags: probe.tags.length > 0 ? buildTagFields({ common: {}, native }) : { ...EMPTY_TAG_FIELDS },
    hasCoverArt: probe.streams.some((s) => s.attachedPicture),
    tagTypes: probe.tags.length > 0 ? ['ffprobe'] : [],
    raw: sanitiseRawTags(native),
    warnings: cleanWarnings(warnings),
    bytesRead,
  };
}
