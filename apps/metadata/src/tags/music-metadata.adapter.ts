import type { FileHandle } from 'node:fs/promises';
import type * as MusicMetadata from 'music-metadata';
import type * as Strtok3 from 'strtok3';
import type { ReadBudget } from './source-file';

/**
 * The one place that touches music-metadata (11.16) and its tokenizer library strtok3. Both are ES
 * modules only. Node ≥ 20.19 loads them with require(); Jest on Node 20 cannot, so jest.config.js
 * compiles these packages to CommonJS for tests (see the comment there). Keeping them behind this
 * adapter means the rest of the code never depends on how they are loaded.
 */
export type AudioMetadata = MusicMetadata.IAudioMetadata;
export type NativeTags = MusicMetadata.INativeTagDict;

interface Loaded {
  mm: typeof MusicMetadata;
  BoundedFileTokenizer: new (
    handle: FileHandle,
    info: Strtok3.IRandomAccessFileInfo,
    budget: ReadBudget,
  ) => Strtok3.IRandomAccessTokenizer;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const mm = require('music-metadata') as typeof MusicMetadata;
  const strtok3 = require('strtok3') as typeof Strtok3;

  /**
   * strtok3's file tokenizer with every read charged to the budget: the byte limit and the deadline
   * hold inside music-metadata's parsers too, which have no such options of their own.
   */
  class BoundedFileTokenizer extends strtok3.FileTokenizer {
    constructor(
      handle: FileHandle,
      info: Strtok3.IRandomAccessFileInfo,
      private readonly budget: ReadBudget,
    ) {
      super(handle, { fileInfo: info });
    }

    override readBuffer(uint8Array: Uint8Array, options?: Strtok3.IReadChunkOptions): Promise<number> {
      this.budget.charge(options?.length ?? uint8Array.length);
      return super.readBuffer(uint8Array, options);
    }

    override peekBuffer(uint8Array: Uint8Array, options?: Strtok3.IReadChunkOptions): Promise<number> {
      this.budget.charge(options?.length ?? uint8Array.length);
      return super.peekBuffer(uint8Array, options);
    }
  }

  loaded = { mm, BoundedFileTokenizer };
  return loaded;
}

export interface ParseRequest {
  handle: FileHandle;
  size: number;
  /** A file name whose extension picks the parser (from the sniffed container, not the real name). */
  parserHint: string;
  budget: ReadBudget;
  /** Skip picture bodies where that saves reading them (FLAC); elsewhere they are read anyway. */
  skipCovers: boolean;
}

/**
 * Parses tags and stream facts. `duration: false` keeps music-metadata from scanning whole files
 * (Ogg, ADTS and VBR MP3 without a Xing header); those durations come from our structure checks.
 * The caller owns the file handle and closes it.
 */
export async function parseAudioMetadata(req: ParseRequest): Promise<AudioMetadata> {
  const { mm, BoundedFileTokenizer } = load();
  const tokenizer = new BoundedFileTokenizer(req.handle, { path: req.parserHint, size: req.size }, req.budget);
  return mm.parseFromTokenizer(tokenizer, { duration: false, skipCovers: req.skipCovers });
}

/** Warms the module up (its parsers load lazily) so the first file does not pay for it. */
export function loadMusicMetadata(): void {
  load();
}
