/**
 * @crateflow/fingerprint — acoustic fingerprinting for Crateflow: which library tracks play in a recording,
 * where, and at what speed. See README.md for the design, the capacity arithmetic and the measurements.
 */
export {
  FINGERPRINT_ALGORITHM_VERSION,
  FINGERPRINT_SAMPLE_RATE,
  FRAME_SEC,
  STRATEGIES,
  framesToSec,
  secToFrames,
} from './params';
export type { Strategy } from './params';
export {
  decodeForFingerprint,
  extractPeaks,
  fingerprintFile,
  fingerprintPcm,
  pcmChunks,
  postingsOfPeaks,
} from './fingerprint';
export type { ExtractOptions, PcmSource, TrackFingerprint } from './fingerprint';
export { PeakList } from './peaks';
export { PostingBuffer } from './postings';
export type { PostingBatch } from './postings';
export { DEFAULT_SPEED_RANGE } from './triplet';
export type { SpeedRange } from './triplet';
export { expectedHashRange, FingerprintVerificationError, indexTrack, TYPICAL_HASHES_PER_SECOND } from './indexing';
export type { HashRange, IndexTrackOptions, IndexTrackResult } from './indexing';
export { identifyExcerpt } from './identify';
export type { ExcerptMatch, IdentifyOptions, QueryFanOut } from './identify';
export { DEFAULT_MIX_FAN_OUT, identifyMix } from './mix';
export type { MixOptions, MixProgress } from './mix';
export { buildTimeline } from './timeline';
export type { MixTimeline, TimelineEntry, TimelineGap, TimelineOptions, WindowHit } from './timeline';
export type { MatchMode } from './matcher';
export { DEFAULT_POPULAR_HASH_FACTOR, withoutPopularHashes } from './matcher';
export { resolveNestedMixes } from './nested';
export type { NestedVia, ResolvedTimelineEntry, ResolveNestedOptions } from './nested';
export { findSameRecordings, groupSameRecordings } from './same-recording';
export type { SameRecordingMatch, SameRecordingOptions } from './same-recording';
export type {
  FingerprintIndex,
  IndexedTrack,
  LookupOptions,
  LookupResult,
  PostingReadBack,
  StoredCounts,
} from './store/fingerprint-index';
export { keepPostings } from './store/fingerprint-index';
export { MemoryFingerprintIndex } from './store/memory-index';
export { PostgresFingerprintIndex } from './store/postgres-index';
export type { PgPool, PostgresIndexOptions } from './store/postgres-index';
export {
  FINGERPRINT_GENERATIONS_SQL,
  FINGERPRINT_SCHEMA_SQL,
  FINGERPRINT_SLOT_TABLES,
  FINGERPRINT_TABLES,
  TRACK_ID_TABLE,
} from './store/schema';
export type { FingerprintTableSet, IndexSlot } from './store/schema';
export {
  CODE_INDEX_VERSION,
  compareVersions,
  FINGERPRINT_LAYOUT_VERSION,
  FINGERPRINT_QUERY_COMPATIBLE_VERSIONS,
  GenerationalFingerprintIndex,
  IndexGenerations,
  IndexRebuildingError,
  IndexVersionMismatchError,
} from './store/generations';
export type {
  GenerationalIndexOptions,
  GenerationState,
  GenerationView,
  IndexGeneration,
  IndexVersion,
  RebuildProgress,
} from './store/generations';
