import type * as MusicMetadata from 'music-metadata';
import type * as Strtok3 from 'strtok3';
import type { SourceFile } from './source-file';

/**
 * The one place that touches music-metadata (11.16) and its tokenizer library strtok3. Both are ES
 * modules only. Node ≥ 20.19 loads them with require(); Jest on Node 20 cannot, so jest.config.js
 * compiles these packages to CommonJS for tests (see the comment there). Keeping them behind this
 * adapter means the rest of the code never depends on how they are loaded. The parser is always
 * chosen by file extension: music-metadata's MIME-type route imports the CommonJS package
 * content-type with a default import, which behaves differently once compiled for Jest.
 */
export type AudioMetadata = MusicMetadata.IAudioMetadata;
export type NativeTags = MusicMetadata.INativeTagDict;

interface Loaded {
  mm: typeof MusicMetadata;
  SourceTokenizer: new (source: SourceFile, info: Strtok3.IRandomAccessFileInfo) => Strtok3.IRandomAccessTokenizer;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const mm = require('music-metadata') as typeof MusicMetadata;
  const strtok3 = require('strtok3') as typeof Strtok3;

  /**
   * A strtok3 tokenizer over our SourceFile: reads inside its head and tail windows come from
   * memory, and every disk read is charged to the budget, so the byte limit and the deadline hold
   * inside music-metadata's parsers too (they have no such options of their own). Semantics follow
   * strtok3's FileTokenizer: a short read throws EndOfStreamError unless `mayBeLess` is set.
   */
  class SourceTokenizer extends strtok3.AbstractTokenizer implements Strtok3.IRandomAccessTokenizer {
    constructor(
      private readonly source: SourceFile,
      readonly fileInfo: Strtok3.IRandomAccessFileInfo,
    ) {
      super();
    }

    supportsRandomAccess(): boolean {
      return true;
    }

    setPosition(position: number): void {
      this.validateLength(position, 'position');
      this.position = position;
    }

    async readBuffer(uint8Array: Uint8Array, options?: Strtok3.IReadChunkOptions): Promise<number> {
      const o = this.normalizeOptions(uint8Array, options);
      this.position = o.position;
      const n = await this.readAt(uint8Array, o.position, o.length, o.mayBeLess ?? false);
      this.position += n;
      return n;
    }

    async peekBuffer(uint8Array: Uint8Array, options?: Strtok3.IReadChunkOptions): Promise<number> {
      const o = this.normalizeOptions(uint8Array, options);
      return this.readAt(uint8Array, o.position, o.length, o.mayBeLess ?? false);
    }

    private async readAt(target: Uint8Array, position: number, length: number, mayBeLess: boolean): Promise<number> {
      const n = await this.source.readInto(
        target.length === length ? target : target.subarray(0, length),
        position,
        length,
      );
      if (n < length && !mayBeLess) throw new strtok3.EndOfStreamError();
      return n;
    }
  }

  loaded = { mm, SourceTokenizer };
  return loaded;
}

export interface ParseRequest {
  source: SourceFile;
  /** A file name whose extension picks the parser (from the sniffed container, not the real name). */
  parserHint: string;
  /** Skip picture bodies where that saves reading them (FLAC); elsewhere they are read anyway. */
  skipCovers: boolean;
}

/**
 * Parses tags and stream facts. `duration: false` keeps music-metadata from scanning whole files
 * (Ogg, ADTS and VBR MP3 without a Xing header); those durations come from our structure checks.
 */
export async function parseAudioMetadata(req: ParseRequest): Promise<AudioMetadata> {
  const { mm, SourceTokenizer } = load();
  const tokenizer = new SourceTokenizer(req.source, { path: req.parserHint, size: req.source.size });
  return mm.parseFromTokenizer(tokenizer, { duration: false, skipCovers: req.skipCovers });
}

/** Warms the module up (its parsers load lazily) so the first file does not pay for it. */
export function loadMusicMetadata(): void {
  load();
}
