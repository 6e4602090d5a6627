import type { ServiceName } from './stages';

/**
 * Every table has exactly one writing service. Other services read through their own read models.
 * A test checks that each entity in libs/persistence is listed here and that no app's repository
 * writes a table it does not own.
 */
export const TABLE_OWNERS = {
  files: 'ingest',
  scans: 'ingest',
  file_stage_statuses: 'ingest',
  file_history: 'ingest',
  file_metadata: 'metadata',
  companion_contents: 'metadata',
  companion_links: 'metadata',
  companion_folders: 'metadata',
  duplicate_resolutions: 'gateway',
  duplicate_resolution_members: 'gateway',
  file_analysis: 'analysis',
  file_fingerprints: 'fingerprint',
  fingerprint_tracks: 'fingerprint',
  fingerprint_landmark_postings: 'fingerprint',
  fingerprint_triplet_postings: 'fingerprint',
  fingerprint_landmark_packed: 'fingerprint',
  fingerprint_triplet_packed: 'fingerprint',
  fingerprint_packed_tracks: 'fingerprint',
  fingerprint_tombstones: 'fingerprint',
  fingerprint_b_tracks: 'fingerprint',
  fingerprint_b_landmark_postings: 'fingerprint',
  fingerprint_b_triplet_postings: 'fingerprint',
  fingerprint_b_landmark_packed: 'fingerprint',
  fingerprint_b_triplet_packed: 'fingerprint',
  fingerprint_b_packed_tracks: 'fingerprint',
  fingerprint_b_tombstones: 'fingerprint',
  fingerprint_index_generations: 'fingerprint',
  fingerprint_rebuild_failures: 'fingerprint',
  same_recording_matches: 'fingerprint',
  mix_identifications: 'fingerprint',
  proposals: 'proposer',
  proposal_generations: 'proposer',
  proposal_reviews: 'gateway',
  tracklists: 'tracklists',
  tracklist_versions: 'tracklists',
  tracklist_tracks: 'tracklists',
  tracklist_links: 'tracklists',
  tracklist_lookups: 'tracklists',
  tracklist_host_schedule: 'tracklists',
  tracklist_decisions: 'gateway',
  tracklist_link_decisions: 'gateway',
  tracklist_track_edits: 'gateway',
  execution_plans: 'executor',
  execution_plan_items: 'executor',
  executions: 'executor',
  execution_operations: 'executor',
  execution_steps: 'executor',
} as const satisfies Record<string, ServiceName>;

export type TableName = keyof typeof TABLE_OWNERS;

export function tablesOwnedBy(service: ServiceName): TableName[] {
  return (Object.keys(TABLE_OWNERS) as TableName[]).filter((t) => TABLE_OWNERS[t] === service);
}
