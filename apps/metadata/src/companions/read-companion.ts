import * as path from 'node:path';
import { extensionOf } from '@crateflow/contracts';
import { MetadataReadError } from '../tags/errors';
import { ReadBudget, openSourceFile } from '../tags/source-file';
import { parseMd5, parseSfv, type ChecksumList } from './checksums';
import { parseCueSheet, type CueSheet } from './cue';
import { readImageFacts, type ImageFacts } from './image';
import { parseM3u, parsePls, type Playlist } from './playlist';
import { TEXT_READ_BYTES, readTextCompanion, type TextCompanion } from './text-file';

/** What a companion file holds, parsed; stored for the proposer and shown on the media file. */
export type CompanionContent =
  | { type: 'cue'; cue: CueSheet; inputTruncated: boolean }
  | { type: 'text'; format: 'nfo' | 'txt'; text: TextCompanion }
  | { type: 'playlist'; playlist: Playlist; inputTruncated: boolean }
  | { type: 'checksums'; checksums: ChecksumList; inputTruncated: boolean }
  | { type: 'image'; image: ImageFacts; bytes: number };

export interface ReadCompanionOptions {
  /** Bytes read from text-like companions; the rest of a larger file is left out. Default 256 KiB. */
  maxBytes?: number;
}

const IMAGE_HEAD_BYTES = 64 * 1024;
const READ_TIMEOUT_MS = 15_000;

/**
 * Reads and parses one companion file, reading at most `maxBytes`. Content is never a reason to
 * fail (a broken cue sheet parses to what could be understood, with warnings); only a file that
 * cannot be opened, or a name that is no companion, gives a MetadataReadError.
 */
export async function readCompanion(
  filePath: string | Buffer,
  options: ReadCompanionOptions = {},
): Promise<CompanionContent> {
  const name = typeof filePath === 'string' ? path.basename(filePath) : path.basename(filePath.toString('latin1'));
  const ext = extensionOf(name);
  const maxBytes = options.maxBytes ?? TEXT_READ_BYTES;
  const isImage = ext === 'jpg' || ext === 'jpeg' || ext === 'png' || ext === 'gif';
  if (!isImage && !['cue', 'nfo', 'txt', 'm3u', 'm3u8', 'pls', 'sfv', 'md5'].includes(ext)) {
    throw new MetadataReadError('not-media', `not a companion file: .${ext || '(none)'} is not a companion type`);
  }
  const { bytes, size } = await readHead(filePath, isImage ? IMAGE_HEAD_BYTES : maxBytes);
  const inputTruncated = size > bytes.length;
  switch (ext) {
    case 'cue':
      return { type: 'cue', cue: parseCueSheet(bytes), inputTruncated };
    case 'nfo':
    case 'txt':
      return { type: 'text', format: ext, text: readTextCompanion(bytes, { format: ext, inputTruncated }) };
    case 'm3u':
    case 'm3u8':
      return { type: 'playlist', playlist: parseM3u(bytes, ext === 'm3u8'), inputTruncated };
    case 'pls':
      return { type: 'playlist', playlist: parsePls(bytes), inputTruncated };
    case 'sfv':
      return { type: 'checksums', checksums: parseSfv(bytes), inputTruncated };
    case 'md5':
      return { type: 'checksums', checksums: parseMd5(bytes), inputTruncated };
    default:
      return { type: 'image', image: readImageFacts(bytes), bytes: size };
  }
}

/** Reads the first `maxBytes`; like the tag reader, refuses folders, FIFOs and devices before opening. */
async function readHead(filePath: string | Buffer, maxBytes: number): Promise<{ bytes: Buffer; size: number }> {
  const file = await openSourceFile(filePath, new ReadBudget(maxBytes, READ_TIMEOUT_MS), 'async');
  try {
    return { bytes: await file.read(0, maxBytes), size: file.size };
  } finally {
    await file.close();
  }
}
