import { readCompanion, type CompanionContent } from '../companions';
import { readTags, type TagReadResult } from '../tags';

/** Reads tags of one file: the worker pool in the service, or readTags in-process. */
export interface TagReader {
  read(pathKey: Buffer): Promise<TagReadResult>;
}

/** readTags on the calling thread, with the configured limits. */
export function inProcessTagReader(limits: { maxBytes: number; timeoutMs: number }): TagReader {
  return { read: (pathKey) => readTags(pathKey, limits) };
}

/**
 * The library on disk, read-only: tags and stream facts of media files, the content of companions.
 * Both readers open the file by the exact bytes of its path and fail with a MetadataReadError that
 * says what is wrong with the file.
 */
export class MediaReaderRepository {
  constructor(
    private readonly tags: TagReader,
    private readonly limits: { companionMaxBytes: number },
  ) {}

  readTags(pathKey: Buffer): Promise<TagReadResult> {
    return this.tags.read(pathKey);
  }

  readCompanion(pathKey: Buffer): Promise<CompanionContent> {
    return readCompanion(pathKey, { maxBytes: this.limits.companionMaxBytes });
  }
}
