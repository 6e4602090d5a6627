import { PermanentError, TransientError } from '@crateflow/messaging';
import type { StageInput, StageResult } from '@crateflow/service-host';
import { linkCompanions } from './companions';
import type { CompanionRepository, FolderFile, FolderLink } from './repositories/companion.repository';
import { toStoredCompanion } from './repositories/companion.repository';
import type { FileLookupRepository, StageFile } from './repositories/file-lookup.repository';
import type { FileMetadataRepository } from './repositories/file-metadata.repository';
import type { MediaReaderRepository } from './repositories/media-reader.repository';
import { isMetadataReadError, type MetadataReadError } from './tags';

export type MetadataOutcome =
  | { kind: 'media'; result: 'read' }
  | { kind: 'media'; result: 'failed'; failureKind: string }
  | { kind: 'companion'; result: 'parsed'; companionType: string }
  | { kind: 'companion'; result: 'failed'; failureKind: string };

/** Told about each file handled, for metrics. */
export type OutcomeObserver = (outcome: MetadataOutcome) => void;

/**
 * The metadata stage: reads tags and stream facts of music and video files, parses companion files, and
 * keeps the companion links of the file's folder up to date. Free of NATS: the handler turns the result
 * (or the error thrown) into the stage's events.
 */
export class MetadataService {
  constructor(
    private readonly files: FileLookupRepository,
    private readonly metadata: FileMetadataRepository,
    private readonly companions: CompanionRepository,
    private readonly reader: MediaReaderRepository,
    private readonly observe: OutcomeObserver = () => undefined,
  ) {}

  /**
   * Handles one file. Idempotent: running it twice for the same content stores the same rows.
   * Throws PermanentError (code: the failure kind) for a file that cannot be read (after recording why), TransientError
   * for a read that timed out while deliveries remain, and anything else for infrastructure failures.
   */
  async process(
    input: StageInput,
    delivery: { isLastDelivery: boolean } = { isLastDelivery: true },
  ): Promise<StageResult> {
    const file = await this.files.get(input.fileId);
    if (!file) throw new PermanentError(`file ${input.fileId} is not recorded (it was never ingested)`);
    if (file.contentHash !== input.contentHash) {
      // Ingest has seen newer content since; the event for that content brings the file back here.
      return {
        outcome: 'skipped',
        reason: 'the file changed after this event; its new content is read on the next event',
      };
    }
    if (file.kind === 'companion') await this.processCompanion(file, delivery);
    else await this.processMedia(file, delivery);
    await this.relinkFolder(file.dirKey);
    return { outcome: 'completed' };
  }

  /** Records a failure the stage gave up on for another reason (e.g. retries ran out), unless it recorded one itself. */
  async recordFailure(input: StageInput, error: string): Promise<void> {
    const file = await this.files.get(input.fileId);
    if (!file) return;
    if (file.kind === 'companion') {
      await this.companions.saveFailure(file.id, input.contentHash, companionTypeOf(file.name), error, {
        keepExisting: true,
      });
    } else {
      await this.metadata.saveFailure(
        file.id,
        input.contentHash,
        { kind: 'error', reason: error },
        { keepExisting: true },
      );
    }
  }

  /** Recomputes which companions of a folder belong to which media files (null: the folder is unchanged since). */
  relinkFolder(dirKey: Buffer): Promise<FolderLink[] | null> {
    return this.companions.relinkFolder(dirKey, computeFolderLinks);
  }

  private async processMedia(file: StageFile, delivery: { isLastDelivery: boolean }): Promise<void> {
    try {
      const result = await this.reader.readTags(file.pathKey);
      await this.metadata.saveRead(file.id, file.contentHash, result);
      this.observe({ kind: 'media', result: 'read' });
    } catch (err) {
      if (!isMetadataReadError(err)) throw err;
      this.retryIfTransient(err, delivery);
      await this.metadata.saveFailure(file.id, file.contentHash, { kind: err.kind, reason: err.reason });
      this.observe({ kind: 'media', result: 'failed', failureKind: err.kind });
      // The folder's links still count this file (it is there, even if unreadable).
      await this.relinkFolder(file.dirKey);
      throw new PermanentError(err.reason, { cause: err, code: err.kind });
    }
  }

  private async processCompanion(file: StageFile, delivery: { isLastDelivery: boolean }): Promise<void> {
    try {
      const content = await this.reader.readCompanion(file.pathKey);
      const stored = toStoredCompanion(content);
      await this.companions.saveContent(file.id, file.contentHash, stored);
      this.observe({ kind: 'companion', result: 'parsed', companionType: stored.companionType });
    } catch (err) {
      if (!isMetadataReadError(err)) throw err;
      this.retryIfTransient(err, delivery);
      await this.companions.saveFailure(file.id, file.contentHash, companionTypeOf(file.name), err.reason);
      this.observe({ kind: 'companion', result: 'failed', failureKind: err.kind });
      await this.relinkFolder(file.dirKey);
      throw new PermanentError(err.reason, { cause: err, code: err.kind });
    }
  }

  /** A read that timed out may succeed later (a busy NAS): try again while deliveries remain. */
  private retryIfTransient(err: MetadataReadError, delivery: { isLastDelivery: boolean }): void {
    if (err.transient && !delivery.isLastDelivery) throw new TransientError(err.reason, undefined, { cause: err });
  }
}

const COMPANION_TYPES: Record<string, string> = {
  cue: 'cue',
  nfo: 'nfo',
  txt: 'txt',
  m3u: 'playlist',
  m3u8: 'playlist',
  pls: 'playlist',
  sfv: 'checksums',
  md5: 'checksums',
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
};

export function companionTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return COMPANION_TYPES[dot > 0 ? name.slice(dot + 1).toLowerCase() : ''] ?? 'unknown';
}

/**
 * The links of one folder by the core's naming rules. Names map back to file ids; two files whose
 * display names coincide (names that differ only in their bytes on disk) both get the link.
 */
export function computeFolderLinks(files: FolderFile[], cueFilesById: Map<string, string[]>): FolderLink[] {
  const idsByName = new Map<string, string[]>();
  for (const f of files) idsByName.set(f.name, [...(idsByName.get(f.name) ?? []), f.id]);
  const cueFiles: Record<string, string[]> = {};
  for (const f of files) {
    const entries = cueFilesById.get(f.id);
    if (entries) cueFiles[f.name] = [...(cueFiles[f.name] ?? []), ...entries];
  }
  const links: FolderLink[] = [];
  const seen = new Set<string>();
  for (const link of linkCompanions([...idsByName.keys()], { cueFiles })) {
    if (link.rule === 'none') continue;
    for (const companionFileId of idsByName.get(link.companion) ?? []) {
      for (const media of link.media) {
        for (const mediaFileId of idsByName.get(media) ?? []) {
          const key = `${companionFileId}:${mediaFileId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          links.push({ companionFileId, mediaFileId, reason: link.rule });
        }
      }
    }
  }
  return links;
}
