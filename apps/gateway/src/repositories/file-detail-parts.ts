import { FILE_DETAIL_PARTS, type FileDetailPartName } from '../files/file.schemas';
import type { FileRow } from './file.repository';

/**
 * One part of the file detail view that a later stage owns (tags from metadata, analysis, fingerprint
 * status, companions, the proposal). Each part is one read repository implementing this interface and
 * listed under FILE_DETAIL_PART_SOURCES; the files service loads them all in parallel and needs no change.
 */
export interface FileDetailPartSource {
  readonly part: FileDetailPartName;
  /** The part for this file, or null when there is nothing (yet). */
  load(file: FileRow): Promise<unknown | null>;
}

export const FILE_DETAIL_PART_SOURCES = Symbol('gateway.file-detail-part-sources');

/** Stands in for a part whose stage has no table yet: always null. */
export class NotYetAvailablePart implements FileDetailPartSource {
  constructor(readonly part: FileDetailPartName) {}

  load(): Promise<null> {
    return Promise.resolve(null);
  }
}

/** The sources for every part: the given real ones, and a null stand-in for each part nobody provides yet. */
export function detailPartSources(real: FileDetailPartSource[] = []): FileDetailPartSource[] {
  return FILE_DETAIL_PARTS.map((part) => real.find((s) => s.part === part) ?? new NotYetAvailablePart(part));
}
