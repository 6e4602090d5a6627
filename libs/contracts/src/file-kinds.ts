import type { FileKind } from './stages';

/** Extensions (lower case, without the dot) per kind. Anything else is ignored by ingest and counted. */
export const EXTENSIONS_BY_KIND: Record<FileKind, readonly string[]> = {
  music: ['mp3', 'm4a', 'ogg', 'flac', 'wav', 'aiff', 'wma', 'aac', 'opus'],
  video: ['mp4', 'mkv', 'avi', 'webm', 'mov', 'wmv', 'flv'],
  companion: ['cue', 'nfo', 'txt', 'jpg', 'jpeg', 'png', 'gif', 'm3u', 'm3u8', 'pls', 'sfv', 'md5'],
};

const KIND_BY_EXTENSION = new Map<string, FileKind>(
  (Object.entries(EXTENSIONS_BY_KIND) as [FileKind, readonly string[]][]).flatMap(([kind, exts]) =>
    exts.map((ext) => [ext, kind] as const),
  ),
);

/** The extension of a file name, lower-cased, without the dot; '' when there is none. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return '';
  return fileName.slice(dot + 1).toLowerCase();
}

/** Classifies a file name by extension, case-insensitively; null means "ignored". */
export function classifyFileName(fileName: string): FileKind | null {
  return KIND_BY_EXTENSION.get(extensionOf(fileName)) ?? null;
}

/** Kinds whose audio the audio stages (fingerprint, analysis) can work on. */
export function hasAudio(kind: FileKind): boolean {
  return kind === 'music' || kind === 'video';
}
