/**
 * Why a file's tags could not be read. The kind is for code (metrics, retry decisions); the reason is
 * for the person looking at the file and says what is wrong in plain words.
 */
export const METADATA_FAILURE_KINDS = [
  /** The file has no bytes at all. */
  'empty',
  /** The content is not audio or video we know (text, an image, random bytes). */
  'not-media',
  /** The file ends before its own structure says it should. */
  'truncated',
  /** The structure is broken in a way other than a cut-off end. */
  'corrupt',
  /** A tag or header is larger than the reader is allowed to load. */
  'too-large',
  /** Reading took longer than the per-file limit. */
  'timeout',
  /** The operating system would not let us read it (missing, permissions, a folder, a device). */
  'unreadable',
] as const;
export type MetadataFailureKind = (typeof METADATA_FAILURE_KINDS)[number];

/** Failures that may go away on their own (a busy NAS); the rest are facts about the file. */
const TRANSIENT_KINDS: ReadonlySet<MetadataFailureKind> = new Set(['timeout']);

export class MetadataReadError extends Error {
  override readonly name = 'MetadataReadError';

  constructor(
    readonly kind: MetadataFailureKind,
    /** Readable by a person, e.g. "not a FLAC file: no fLaC marker (it starts with plain text)". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }

  /** True when trying again later could succeed. */
  get transient(): boolean {
    return TRANSIENT_KINDS.has(this.kind);
  }
}

export function isMetadataReadError(err: unknown): err is MetadataReadError {
  return err instanceof MetadataReadError;
}

/** "1.2 MiB", "340 KiB", "17 bytes": sizes in reasons are meant for people. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}

/** "1:02.4", "1:02:03.0": times in reasons are meant for people. */
export function formatSeconds(sec: number): string {
  const s = Math.max(0, sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = (s % 60).toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
