import { readCompanion, type CompanionContent } from '../companions';
import { readTags, type TagReadResult } from '../tags';

/**
 * The library on disk, read-only: tags and stream facts of media files, the content of companions.
 * Both readers open the file by the exact bytes of its path and fail with a MetadataReadError that
 * says what is wrong with the file.
 */
export class MediaReaderRepository {
  constructor(private readonly limits: { maxBytes: number; timeoutMs: number; companionMaxBytes: number }) {}

  readTags(pathKey: Buffer): Promise<TagReadResult> {
    return readTags(pathKey, { maxBytes: this.limits.maxBytes, timeoutMs: this.limits.timeoutMs });
  }

  readCompanion(pathKey: Buffer): Promise<CompanionContent> {
    return readCompanion(pathKey, { maxBytes: this.limits.companionMaxBytes });
  }
}
