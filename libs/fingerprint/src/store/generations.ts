import type { PoolClient } from 'pg';
import { FINGERPRINT_ALGORITHM_VERSION, STRATEGIES, Strategy } from '../params';
import { PostingBatch } from '../postings';
import {
  FingerprintIndex,
  IndexedTrack,
  LookupOptions,
  LookupResult,
  PostingReadBack,
  StoredCounts,
} from './fingerprint-index';
import { inTransaction, PgPool, PostgresFingerprintIndex } from './postgres-index';
import { FINGERPRINT_SLOT_TABLES, IndexSlot, TRACK_ID_TABLE } from './schema';

/**
 * Version of the storage layout (tables, packed row format). Bump it with any change a running index cannot
 * read as it is; like an algorithm bump, it makes the fingerprint service rebuild the index beside the old one.
 */
export const FINGERPRINT_LAYOUT_VERSION = 1;

/**
 * Algorithm versions whose stored postings the running code's query hashes match. Usually only the current
 * one; a bump that changes only the query side (the matcher, multi-probing) lists the previous version too,
 * so the old generation keeps answering look-ups while the new one is built. A bump that changes the stored
 * hashes cannot: look-ups then wait for the new generation (IndexRebuildingError) rather than compare
 * incompatible hashes.
 */
export const FINGERPRINT_QUERY_COMPATIBLE_VERSIONS: readonly number[] = [FINGERPRINT_ALGORITHM_VERSION];

export interface IndexVersion {
  algorithmVersion: number;
  layoutVersion: number;
}

export const CODE_INDEX_VERSION: IndexVersion = {
  algorithmVersion: FINGERPRINT_ALGORITHM_VERSION,
  layoutVersion: FINGERPRINT_LAYOUT_VERSION,
};

export type GenerationState = 'building' | 'active' | 'retired';

export interface IndexGeneration extends IndexVersion {
  generation: number;
  slot: IndexSlot;
  state: GenerationState;
  /** Tracks the rebuild has to index: those of the generation it replaces, when it started. */
  totalTracks: number;
  /** The rebuild has queued every track with an id up to this one (null: none yet). */
  enqueuedThrough: number | null;
  /** How many times the rebuild re-queued tracks still missing after everything was queued. */
  sweeps: number;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  droppedAt: Date | null;
}

export interface GenerationView {
  active: IndexGeneration;
  building: IndexGeneration | null;
}

export interface RebuildProgress {
  /** Tracks now in the new generation (re-indexed, or indexed there by the stage meanwhile). */
  done: number;
  /** Tracks the rebuild gave up on (their files are gone or no longer decode), with reasons kept. */
  failed: number;
  /** Tracks of the active generation not yet in the new one and not failed. */
  remaining: number;
  /** done + failed + remaining. */
  total: number;
  /** Tracks finished (done or failed) per minute over the last few minutes; null before the first one. */
  ratePerMin: number | null;
  /** Seconds left at that rate; null when unknown. */
  etaSec: number | null;
}

/** The window the rate is measured over (at least a minute, so the first tracks do not give an absurd rate). */
const RATE_WINDOW_SEC = 300;

/** Look-ups cannot be answered now: the active generation's hashes do not match the running code's. */
export class IndexRebuildingError extends Error {
  constructor(
    message: string,
    readonly view: GenerationView,
  ) {
    super(message);
    this.name = 'IndexRebuildingError';
  }
}

/** This process runs an algorithm or layout version that no live generation has: it must not write. */
export class IndexVersionMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexVersionMismatchError';
  }
}

/** Compares versions: negative when a is older than b. */
export function compareVersions(a: IndexVersion, b: IndexVersion): number {
  return a.algorithmVersion - b.algorithmVersion || a.layoutVersion - b.layoutVersion;
}

function sameVersion(a: IndexVersion, b: IndexVersion): boolean {
  return compareVersions(a, b) === 0;
}

/** Advisory lock of generation changes (start, flip, drop): one replica at a time. */
const GENERATION_LOCK: [number, number] = [0x46504756, 0]; // "FPGV"

interface GenerationRow {
  generation: number;
  slot: IndexSlot;
  algorithm_version: number;
  layout_version: number;
  state: GenerationState;
  total_tracks: number;
  enqueued_through: number | null;
  sweeps: number;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  dropped_at: Date | null;
}

function toGeneration(r: GenerationRow): IndexGeneration {
  return {
    generation: r.generation,
    slot: r.slot,
    algorithmVersion: r.algorithm_version,
    layoutVersion: r.layout_version,
    state: r.state,
    totalTracks: r.total_tracks,
    enqueuedThrough: r.enqueued_through,
    sweeps: r.sweeps,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
    droppedAt: r.dropped_at,
  };
}

/**
 * The index generations (`fingerprint_index_generations`): exactly one `active` generation answers look-ups;
 * when the running code's algorithm or layout version differs from it, a `building` generation is filled
 * beside it in the other table slot, track by track; when every track of the active generation is in the new
 * one (or failed for good), one transaction makes the new one active and the old one `retired`; a retired
 * slot is emptied after a grace period (readers cache the view for a moment) and reused by the next rebuild.
 */
export class IndexGenerations {
  constructor(private readonly pool: PgPool) {}

  async view(): Promise<GenerationView> {
    const res = await this.pool.query<GenerationRow>(
      `SELECT * FROM fingerprint_index_generations WHERE state IN ('active', 'building')`,
    );
    const active = res.rows.find((r) => r.state === 'active');
    if (!active) throw new Error('the fingerprint index has no active generation (has the migration run?)');
    const building = res.rows.find((r) => r.state === 'building');
    return { active: toGeneration(active), building: building ? toGeneration(building) : null };
  }

  async get(generation: number): Promise<IndexGeneration | null> {
    const res = await this.pool.query<GenerationRow>(
      `SELECT * FROM fingerprint_index_generations WHERE generation = $1`,
      [generation],
    );
    return res.rows[0] ? toGeneration(res.rows[0]) : null;
  }

  /** The most recent generations, newest first (the progress view shows the last flip). */
  async recent(limit = 5): Promise<IndexGeneration[]> {
    const res = await this.pool.query<GenerationRow>(
      `SELECT * FROM fingerprint_index_generations ORDER BY generation DESC LIMIT $1`,
      [limit],
    );
    return res.rows.map(toGeneration);
  }

  /**
   * Starts building a generation of `version` beside the active one, unless the active one already is that
   * version (null) or a generation of it is already building (returned as it is). A building generation of
   * another version is retired first: the newest code wins; a process running an older version than the
   * active one never starts a rebuild (it would undo an upgrade). Throws when the other slot still holds a
   * retired generation inside its grace period (retry later).
   */
  async startBuilding(version: IndexVersion): Promise<IndexGeneration | null> {
    return this.locked(async (client) => {
      const rows = (
        await client.query<GenerationRow>(
          `SELECT * FROM fingerprint_index_generations WHERE state IN ('active', 'building') FOR UPDATE`,
        )
      ).rows.map(toGeneration);
      const active = rows.find((g) => g.state === 'active')!;
      const building = rows.find((g) => g.state === 'building') ?? null;
      if (compareVersions(version, active) <= 0) return null;
      if (building && sameVersion(building, version)) return building;
      if (building && compareVersions(building, version) > 0) return null;
      const slot: IndexSlot = active.slot === 'a' ? 'b' : 'a';
      if (building) {
        await client.query(
          `UPDATE fingerprint_index_generations SET state = 'retired', retired_at = now() WHERE generation = $1`,
          [building.generation],
        );
      }
      const undropped = await client.query<{ generation: number }>(
        `SELECT generation FROM fingerprint_index_generations WHERE slot = $1 AND state = 'retired' AND dropped_at IS NULL`,
        [slot],
      );
      if (undropped.rows.length) await emptySlot(client, slot, undropped.rows);
      const total = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${FINGERPRINT_SLOT_TABLES[active.slot].facts} WHERE indexed_at IS NOT NULL`,
      );
      const created = await client.query<GenerationRow>(
        `INSERT INTO fingerprint_index_generations (generation, slot, algorithm_version, layout_version, state, total_tracks)
         SELECT coalesce(max(generation), 0) + 1, $1, $2, $3, 'building', $4 FROM fingerprint_index_generations
         RETURNING *`,
        [slot, version.algorithmVersion, version.layoutVersion, Number(total.rows[0].n)],
      );
      return toGeneration(created.rows[0]);
    });
  }

  /**
   * The next tracks of the active generation to queue for the rebuild (id order, after the cursor). The caller
   * moves the cursor with markEnqueued once they are published (a crash in between queues them twice: harmless).
   */
  async tracksToEnqueue(building: IndexGeneration, limit: number): Promise<number[]> {
    const view = await this.view();
    if (view.building?.generation !== building.generation) return [];
    const res = await this.pool.query<{ track_id: number }>(
      `SELECT track_id FROM ${FINGERPRINT_SLOT_TABLES[view.active.slot].facts}
        WHERE indexed_at IS NOT NULL AND track_id > $1::int8 ORDER BY track_id LIMIT $2`,
      [building.enqueuedThrough ?? -0x80000001, limit],
    );
    return res.rows.map((r) => r.track_id);
  }

  /** Tracks of the active generation the rebuild has not queued yet (after its cursor). */
  async notYetQueued(building: IndexGeneration): Promise<number> {
    const view = await this.view();
    const res = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${FINGERPRINT_SLOT_TABLES[view.active.slot].facts}
        WHERE indexed_at IS NOT NULL AND track_id > $1::int8`,
      [building.enqueuedThrough ?? -0x80000001],
    );
    return Number(res.rows[0].n);
  }

  async markEnqueued(generation: number, through: number): Promise<void> {
    await this.pool.query(
      `UPDATE fingerprint_index_generations SET enqueued_through = greatest(coalesce(enqueued_through, $2), $2)
        WHERE generation = $1`,
      [generation, through],
    );
  }

  /** Tracks of the active generation that are neither in the building one nor failed (for a sweep). */
  async missingTracks(building: IndexGeneration, limit: number): Promise<number[]> {
    const view = await this.view();
    const res = await this.pool.query<{ track_id: number }>(
      `SELECT o.track_id FROM ${FINGERPRINT_SLOT_TABLES[view.active.slot].facts} o
        WHERE o.indexed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${FINGERPRINT_SLOT_TABLES[building.slot].facts} n
                           WHERE n.track_id = o.track_id AND n.indexed_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM fingerprint_rebuild_failures f
                           WHERE f.generation = $1 AND f.track_id = o.track_id)
        ORDER BY o.track_id LIMIT $2`,
      [building.generation, limit],
    );
    return res.rows.map((r) => r.track_id);
  }

  async markSweep(generation: number): Promise<number> {
    const res = await this.pool.query<{ sweeps: number }>(
      `UPDATE fingerprint_index_generations SET sweeps = sweeps + 1 WHERE generation = $1 RETURNING sweeps`,
      [generation],
    );
    return res.rows[0]?.sweeps ?? 0;
  }

  /** Tracks indexed in a generation. */
  async trackCount(generation: IndexGeneration): Promise<number> {
    const res = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${FINGERPRINT_SLOT_TABLES[generation.slot].facts} WHERE indexed_at IS NOT NULL`,
    );
    return Number(res.rows[0].n);
  }

  /** Is this track already in the generation (a redelivered or repeated rebuild message does nothing)? */
  async hasTrack(generation: IndexGeneration, trackId: number): Promise<boolean> {
    const res = await this.pool.query(
      `SELECT 1 FROM ${FINGERPRINT_SLOT_TABLES[generation.slot].facts} WHERE track_id = $1 AND indexed_at IS NOT NULL`,
      [trackId],
    );
    return res.rows.length > 0;
  }

  async recordFailure(generation: number, trackId: number, reason: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO fingerprint_rebuild_failures (generation, track_id, reason) VALUES ($1, $2, $3)
       ON CONFLICT (generation, track_id) DO UPDATE SET reason = excluded.reason, failed_at = now()`,
      [generation, trackId, reason.slice(0, 2000)],
    );
  }

  async failures(generation: number, limit = 20): Promise<{ trackId: number; reason: string; failedAt: Date }[]> {
    const res = await this.pool.query<{ track_id: number; reason: string; failed_at: Date }>(
      `SELECT track_id, reason, failed_at FROM fingerprint_rebuild_failures WHERE generation = $1
        ORDER BY failed_at DESC LIMIT $2`,
      [generation, limit],
    );
    return res.rows.map((r) => ({ trackId: r.track_id, reason: r.reason, failedAt: r.failed_at }));
  }

  /** Progress of a building generation against the active one, counted from the tables in one statement. */
  async progress(building: IndexGeneration, active: IndexGeneration): Promise<RebuildProgress> {
    const oldFacts = FINGERPRINT_SLOT_TABLES[active.slot].facts;
    const newFacts = FINGERPRINT_SLOT_TABLES[building.slot].facts;
    const res = await this.pool.query<{
      done: string;
      failed: string;
      remaining: string;
      recent: string;
      window: number;
    }>(
      `SELECT (SELECT count(*) FROM ${newFacts} WHERE indexed_at IS NOT NULL) AS done,
              (SELECT count(*) FROM ${newFacts} WHERE indexed_at > now() - make_interval(secs => $2))
                + (SELECT count(*) FROM fingerprint_rebuild_failures WHERE generation = $1
                     AND failed_at > now() - make_interval(secs => $2)) AS recent,
              greatest(60, least($2, extract(epoch FROM now() - $3::timestamptz)))::float8 AS window,
              (SELECT count(*) FROM fingerprint_rebuild_failures f WHERE f.generation = $1
                 AND NOT EXISTS (SELECT 1 FROM ${newFacts} n WHERE n.track_id = f.track_id AND n.indexed_at IS NOT NULL)) AS failed,
              (SELECT count(*) FROM ${oldFacts} o WHERE o.indexed_at IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM ${newFacts} n WHERE n.track_id = o.track_id AND n.indexed_at IS NOT NULL)
                 AND NOT EXISTS (SELECT 1 FROM fingerprint_rebuild_failures f WHERE f.generation = $1 AND f.track_id = o.track_id)) AS remaining`,
      [building.generation, RATE_WINDOW_SEC, building.createdAt],
    );
    const r = res.rows[0];
    const done = Number(r.done);
    const failed = Number(r.failed);
    const remaining = Number(r.remaining);
    const recent = Number(r.recent);
    const ratePerMin = recent > 0 && r.window > 0 ? (recent / r.window) * 60 : null;
    const etaSec = ratePerMin ? Math.round((remaining / ratePerMin) * 60) : remaining === 0 ? 0 : null;
    return { done, failed, remaining, total: done + failed + remaining, ratePerMin, etaSec };
  }

  /**
   * Makes the building generation active when nothing of the active one is left to re-index; the old one is
   * retired in the same transaction (readers switch at their next view refresh). Returns true on a flip.
   */
  async flipIfComplete(generation: number): Promise<boolean> {
    return this.locked(async (client) => {
      const view = (
        await client.query<GenerationRow>(
          `SELECT * FROM fingerprint_index_generations WHERE state IN ('active', 'building') FOR UPDATE`,
        )
      ).rows.map(toGeneration);
      const active = view.find((g) => g.state === 'active')!;
      const building = view.find((g) => g.state === 'building');
      if (!building || building.generation !== generation) return false;
      const remaining = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${FINGERPRINT_SLOT_TABLES[active.slot].facts} o WHERE o.indexed_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM ${FINGERPRINT_SLOT_TABLES[building.slot].facts} n
                            WHERE n.track_id = o.track_id AND n.indexed_at IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM fingerprint_rebuild_failures f WHERE f.generation = $1 AND f.track_id = o.track_id)`,
        [generation],
      );
      if (Number(remaining.rows[0].n) > 0) return false;
      // Retire first: the partial unique index allows one active generation at a time.
      await client.query(
        `UPDATE fingerprint_index_generations SET state = 'retired', retired_at = now() WHERE generation = $1`,
        [active.generation],
      );
      await client.query(
        `UPDATE fingerprint_index_generations SET state = 'active', activated_at = now() WHERE generation = $1`,
        [generation],
      );
      return true;
    });
  }

  /**
   * Empties the slots of generations retired more than `graceMs` ago (TRUNCATE: instant whatever the size);
   * readers that still cached the old view have long refreshed by then. Returns the generations dropped.
   */
  async dropRetired(graceMs: number): Promise<number[]> {
    return this.locked(async (client) => {
      const res = await client.query<{ generation: number; slot: IndexSlot }>(
        `SELECT generation, slot FROM fingerprint_index_generations
          WHERE state = 'retired' AND dropped_at IS NULL AND retired_at < now() - make_interval(secs => $1::float8 / 1000)
            AND slot NOT IN (SELECT slot FROM fingerprint_index_generations WHERE state IN ('active', 'building'))`,
        [graceMs],
      );
      const dropped: number[] = [];
      for (const slot of ['a', 'b'] as const) {
        const gens = res.rows.filter((r) => r.slot === slot);
        if (gens.length === 0) continue;
        await emptySlot(client, slot, gens);
        dropped.push(...gens.map((g) => g.generation));
      }
      return dropped;
    });
  }

  private locked<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', GENERATION_LOCK);
      return work(client);
    });
  }
}

/** Empties a slot's postings and facts and marks its retired generations dropped (inside the caller's transaction). */
async function emptySlot(client: PoolClient, slot: IndexSlot, generations: { generation: number }[]): Promise<void> {
  const t = FINGERPRINT_SLOT_TABLES[slot];
  const tables = [
    ...STRATEGIES.map((s) => t.rows[s]),
    ...STRATEGIES.map((s) => t.packed[s]),
    t.packedTracks,
    t.tombstones,
  ];
  await client.query(`TRUNCATE ${tables.join(', ')}`);
  if (t.facts === TRACK_ID_TABLE) {
    // The id mapping stays (tracks keep their ids across generations); only this slot's facts go.
    await client.query(
      `UPDATE ${TRACK_ID_TABLE} SET duration_sec = NULL, landmark_postings = NULL, triplet_postings = NULL,
         algorithm_version = NULL, indexed_at = NULL WHERE indexed_at IS NOT NULL OR algorithm_version IS NOT NULL`,
    );
  } else {
    await client.query(`TRUNCATE ${t.facts}`);
  }
  await client.query(`UPDATE fingerprint_index_generations SET dropped_at = now() WHERE generation = ANY($1::int4[])`, [
    `{${generations.map((g) => g.generation).join(',')}}`,
  ]);
}

export interface GenerationalIndexOptions {
  /** The version this process computes (default: the code's). */
  version?: IndexVersion;
  /** Algorithm versions this process's queries can be matched against (default FINGERPRINT_QUERY_COMPATIBLE_VERSIONS). */
  queryCompatible?: readonly number[];
  /** How long a read of the generation view is reused, in ms (default 2000): one query saved per look-up. */
  viewCacheMs?: number;
  /** End the pool in close() (default false). */
  ownsPool?: boolean;
}

/**
 * The fingerprint index as the services use it: a layer over the two table slots that sends look-ups to the
 * active generation and writes to the generation of this process's own version (the building one during a
 * rebuild, so a file indexed meanwhile is in the new generation when it becomes active; the active one
 * otherwise). The look-up and storage code itself (PostgresFingerprintIndex) is the same for both slots.
 */
export class GenerationalFingerprintIndex implements FingerprintIndex {
  readonly generations: IndexGenerations;
  readonly version: IndexVersion;
  private readonly slots: Record<IndexSlot, PostgresFingerprintIndex>;
  private readonly queryCompatible: readonly number[];
  private cached: { view: GenerationView; at: number } | null = null;

  constructor(
    private readonly pool: PgPool,
    private readonly options: GenerationalIndexOptions = {},
  ) {
    this.generations = new IndexGenerations(pool);
    this.version = options.version ?? CODE_INDEX_VERSION;
    this.queryCompatible = options.queryCompatible ?? FINGERPRINT_QUERY_COMPATIBLE_VERSIONS;
    this.slots = {
      a: new PostgresFingerprintIndex(pool, { slot: 'a', algorithmVersion: this.version.algorithmVersion }),
      b: new PostgresFingerprintIndex(pool, { slot: 'b', algorithmVersion: this.version.algorithmVersion }),
    };
  }

  /** The index of one slot (the rebuild writes the building generation's slot directly). */
  slotIndex(slot: IndexSlot): PostgresFingerprintIndex {
    return this.slots[slot];
  }

  /** The generation view, cached for viewCacheMs. */
  async view(options: { fresh?: boolean } = {}): Promise<GenerationView> {
    const now = Date.now();
    if (!options.fresh && this.cached && now - this.cached.at < (this.options.viewCacheMs ?? 2000)) {
      return this.cached.view;
    }
    const view = await this.generations.view();
    this.cached = { view, at: now };
    return view;
  }

  /**
   * The index look-ups read: the active generation when this process's query hashes match its postings.
   * Otherwise (a rebuild for a hash change) `allowBuilding` takes the generation of this process's version
   * even while it is incomplete (the stage does, to find other encodings of what it indexes: the rebuild
   * finds the rest from the other side); without it, IndexRebuildingError says look-ups resume after the flip.
   */
  async readIndex(options: { allowBuilding?: boolean } = {}): Promise<PostgresFingerprintIndex> {
    const view = await this.view();
    if (this.queryCompatible.includes(view.active.algorithmVersion)) return this.slots[view.active.slot];
    if (options.allowBuilding && view.building && sameVersion(view.building, this.version)) {
      return this.slots[view.building.slot];
    }
    throw new IndexRebuildingError(
      `the fingerprint index is being rebuilt for algorithm version ${this.version.algorithmVersion}; ` +
        `look-ups resume when it is complete (the active index holds version ${view.active.algorithmVersion})`,
      view,
    );
  }

  /** The generation this process writes: the one of its own version (building during a rebuild, else active). */
  async writeGeneration(): Promise<IndexGeneration> {
    let view = await this.view();
    for (let attempt = 0; ; attempt++) {
      if (view.building && sameVersion(view.building, this.version)) return view.building;
      if (sameVersion(view.active, this.version)) return view.active;
      if (attempt > 0) break;
      view = await this.view({ fresh: true }); // a flip or a start may have happened since the cached read
    }
    const v = (g: IndexVersion) => `${g.algorithmVersion}.${g.layoutVersion}`;
    throw new IndexVersionMismatchError(
      `this process indexes version ${v(this.version)}, the index is at ${v(view.active)}` +
        (view.building ? ` (building ${v(view.building)})` : '') +
        (compareVersions(this.version, view.active) < 0
          ? ': it is older than the index and must be upgraded'
          : ': its rebuild has not started yet'),
    );
  }

  async writeIndex(): Promise<PostgresFingerprintIndex> {
    return this.slots[(await this.writeGeneration()).slot];
  }

  ensureTrackId(externalId: string): Promise<number> {
    return this.slots.a.ensureTrackId(externalId); // the id mapping is shared by both slots
  }

  async addPostings(strategy: Strategy, trackId: number, batch: PostingBatch): Promise<number> {
    return (await this.writeIndex()).addPostings(strategy, trackId, batch);
  }

  async countPostings(strategy: Strategy, trackId: number): Promise<number> {
    return (await this.writeIndex()).countPostings(strategy, trackId);
  }

  async readBack(strategy: Strategy, trackId: number): Promise<PostingReadBack> {
    return (await this.writeIndex()).readBack(strategy, trackId);
  }

  async removeTrack(trackId: number): Promise<number> {
    return (await this.writeIndex()).removeTrack(trackId);
  }

  async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult> {
    return (await this.readIndex()).lookup(strategy, hashes, options);
  }

  async replaceTrack(
    trackId: number,
    durationSec: number,
    postings: Record<Strategy, PostingBatch>,
  ): Promise<StoredCounts> {
    return (await this.writeIndex()).replaceTrack(trackId, durationSec, postings);
  }

  async getTracks(trackIds: readonly number[]): Promise<Map<number, IndexedTrack>> {
    return (await this.readIndex()).getTracks(trackIds);
  }

  /** Tracks of the generation look-ups read that are longer than `seconds` (mixes, not tracks of a mix). */
  async tracksLongerThan(seconds: number): Promise<number[]> {
    const slot = (await this.readIndex()).slot;
    const res = await this.pool.query<{ track_id: number }>(
      `SELECT track_id FROM ${FINGERPRINT_SLOT_TABLES[slot].facts} WHERE duration_sec > $1 AND indexed_at IS NOT NULL`,
      [seconds],
    );
    return res.rows.map((r) => r.track_id);
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }
}
