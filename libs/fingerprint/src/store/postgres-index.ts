import type { Pool, PoolClient } from 'pg';
import { FINGERPRINT_ALGORITHM_VERSION, STRATEGIES, Strategy } from '../params';
import { chunksOf, PostingBatch } from '../postings';
import {
  assertSortedUnique,
  assertTrackId,
  EMPTY_LOOKUP,
  FingerprintIndex,
  IndexedTrack,
  LookupOptions,
  LookupResult,
  PostingReadBack,
  StoredCounts,
} from './fingerprint-index';
import {
  decodePackedRow,
  encodePackedRow,
  PACKED_KEY_SHIFT,
  PackedRowReader,
  packedKeyOf,
  PostingColumnsBuffer,
  sortPostings,
} from './packed-postings';
import {
  FINGERPRINT_SCHEMA_SQL,
  FINGERPRINT_SLOT_TABLES,
  TRACK_ID_TABLE,
  type FingerprintTableSet,
  type IndexSlot,
} from './schema';

/** Rows per INSERT: big enough to amortise the round trip, small enough for a ~1 MB statement. */
const INSERT_CHUNK = 50_000;
/** Advisory-lock namespace of track replacement (two replicas indexing one track wait for each other). */
const LOCK_NAMESPACE = 0x46505258; // "FPRX"
/** Advisory-lock namespace of the merge (one merger at a time rewrites packed rows). */
const MERGE_LOCK_NAMESPACE = 0x4650524d; // "FPRM"
/** One merge lock per slot: the two slots' merges touch disjoint tables. */
const MERGE_LOCK_KEY: Record<IndexSlot, number> = { a: 0, b: 1 };
/** Tracks moved per merge transaction (bounds its memory and how long it holds their locks). */
const MERGE_TRACKS_PER_BATCH = 64;
/** Packed rows rewritten per purge transaction. */
const PURGE_ROWS_PER_BATCH = 2_000;
/**
 * An emptied row table (heap and indexes) larger than this is truncated after a merge. Deleted rows leave
 * their pages behind (VACUUM recycles btree pages but never returns them), so without it the row tier keeps
 * the size of the largest backlog it ever held: 12.8 MB next to 16 MB of packed postings after indexing a
 * 2-hour library with a merge every 8 tracks (bench/fingerprint/storage-breakdown.ts).
 */
const ROW_TIER_RECLAIM_BYTES = 1 << 20;

/** A merge or purge found the packed rows it wrote differ from what it meant to write. */
export class PackedPostingsVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackedPostingsVerificationError';
  }
}

export interface StorageBytes {
  rows: Record<Strategy, number>;
  packed: Record<Strategy, number>;
  shared: number;
  total: number;
}

export interface MergeResult {
  tracks: number;
  postings: number;
  rowsWritten: number;
  /** Bytes given back by truncating row tables the merge left empty (see reclaimRowTier). */
  rowTierReclaimedBytes?: number;
}

/** Anything that hands out clients and runs queries: a pg.Pool. */
export type PgPool = Pick<Pool, 'connect' | 'query' | 'end'>;

export interface PostgresIndexOptions {
  /** End the pool in close() (default false: the caller owns it). */
  ownsPool?: boolean;
  /**
   * Which table slot this index reads and writes (default `a`). The index generations (generations.ts)
   * decide which slot answers look-ups and which receives writes; this class only works on one slot.
   */
  slot?: IndexSlot;
  /** The algorithm version recorded with each track stored (default FINGERPRINT_ALGORITHM_VERSION). */
  algorithmVersion?: number;
}

/**
 * FingerprintIndex on PostgreSQL through `pg` (tables: FINGERPRINT_SCHEMA_SQL). Shared by any number of
 * fingerprint replicas; survives restarts; grows without a capacity cap (see schema.ts and README.md).
 */
export class PostgresFingerprintIndex implements FingerprintIndex {
  /** The tables of this index's slot. */
  protected readonly t: FingerprintTableSet;

  constructor(
    private readonly pool: PgPool,
    private readonly options: PostgresIndexOptions = {},
  ) {
    this.t = FINGERPRINT_SLOT_TABLES[options.slot ?? 'a'];
  }

  get slot(): IndexSlot {
    return this.t.slot;
  }

  /** Creates the tables if missing (tests and tools; deployments run the migration instead). */
  static async createSchema(pool: PgPool): Promise<void> {
    await pool.query(FINGERPRINT_SCHEMA_SQL);
  }

  /** The compact track id of an external recording id (a uuid), allocated on first use. */
  async ensureTrackId(externalId: string): Promise<number> {
    const res = await this.pool.query<{ track_id: number }>(
      `INSERT INTO ${TRACK_ID_TABLE} (external_id) VALUES ($1)
       ON CONFLICT (external_id) DO UPDATE SET external_id = EXCLUDED.external_id
       RETURNING track_id`,
      [externalId],
    );
    return res.rows[0].track_id;
  }

  async addPostings(strategy: Strategy, trackId: number, batch: PostingBatch): Promise<number> {
    assertTrackId(trackId);
    return this.insert(this.pool, strategy, trackId, batch);
  }

  async countPostings(strategy: Strategy, trackId: number): Promise<number> {
    return (await this.readBack(strategy, trackId)).count;
  }

  async readBack(strategy: Strategy, trackId: number): Promise<PostingReadBack> {
    return readBackWith(this.pool, this.t, strategy, trackId);
  }

  async removeTrack(trackId: number): Promise<number> {
    return this.transaction(async (client) => {
      await lockTrack(client, trackId);
      const removed = await removeTrackWith(client, this.t, trackId);
      await forgetFacts(client, this.t, trackId);
      return removed;
    });
  }

  /**
   * Both tiers and the tombstones in one statement, so a merge committing meanwhile can neither hide a
   * posting nor show it twice. Both tiers are asked by packed key, sent once as a binary int4[] parameter:
   * PostgreSQL reads it without parsing ~8 digits per element, and the row tier's look-up is a join against
   * the keys (a key's range of hashes) skipped outright when the row tier is empty, instead of `= ANY` of every
   * asked hash, whose per-element planning and parsing took about half the backend's CPU on a 4-hour
   * recording (docs/fingerprint.md, "The look-up statement"). A triplet key covers 16 hashes, so the row
   * tier can return unasked hashes of an asked key: they are dropped here, as the packed rows' are.
   */
  async lookup(strategy: Strategy, hashes: Int32Array, options: LookupOptions = {}): Promise<LookupResult> {
    if (hashes.length === 0) return EMPTY_LOOKUP;
    assertSortedUnique(hashes);
    const shift = PACKED_KEY_SHIFT[strategy];
    const rows = this.t.rows[strategy];
    const rowsOfKey =
      shift === 0 ? 'r.hash = k.key' : `r.hash BETWEEN k.key << ${shift} AND (k.key << ${shift}) | ${(1 << shift) - 1}`;
    // Three fields a row: every field is printed by the server and parsed into a string and a value here, and
    // the packed rows (millions for a long recording) need only their key and postings. A row-tier posting
    // travels as 12 bytes (track, time, aux), as the packed postings do in their own form.
    const res = await this.pool.query({
      text: `SELECT 0 AS tier, r.hash AS a, int4send(r.track_id) || int4send(r.t) || int4send(r.aux) AS p
               FROM unnest($1::int4[]) AS k(key) JOIN ${rows} r ON ${rowsOfKey}
              WHERE EXISTS (SELECT 1 FROM ${rows})
             UNION ALL
             SELECT 1, hash_key, postings FROM ${this.t.packed[strategy]} WHERE hash_key = ANY($1::int4[])
             UNION ALL
             SELECT 2, track_id, NULL FROM ${this.t.tombstones}`,
      values: [int4ArrayBinary(packedKeysOf(hashes, shift))],
      rowMode: 'array',
    });
    const found = res.rows as [number, number, Buffer | null][];
    let tombstones: Set<number> | null = null;
    for (const r of found) if (r[0] === 2) (tombstones ??= new Set()).add(r[1]);
    const out = new LookupBuffer();
    for (const r of found) {
      if (r[0] === 1) decodeInto(strategy, r[1], r[2]!, hashes, tombstones, out);
      else if (r[0] === 0) {
        const j = binarySearch(hashes, r[1]);
        const p = r[2]!;
        if (j >= 0) out.push(j, p.readInt32BE(0), p.readInt32BE(4), p.readInt32BE(8));
      }
    }
    return options.maxPostingsPerHash === undefined
      ? out.result()
      : out.withoutFullHashes(hashes.length, options.maxPostingsPerHash);
  }

  async replaceTrack(
    trackId: number,
    durationSec: number,
    postings: Record<Strategy, PostingBatch>,
  ): Promise<StoredCounts> {
    assertTrackId(trackId);
    return this.transaction(async (client) => {
      await lockTrack(client, trackId);
      await removeTrackWith(client, this.t, trackId);
      for (const s of STRATEGIES) await this.insert(client, s, trackId, postings[s]);
      // Observed, not inferred: count what the tables now hold for the track.
      const counts: StoredCounts = { landmark: 0, triplet: 0 };
      for (const s of STRATEGIES) counts[s] = (await readBackWith(client, this.t, s, trackId)).count;
      await client.query(
        `INSERT INTO ${this.t.facts} (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (track_id) DO UPDATE SET duration_sec = EXCLUDED.duration_sec,
           landmark_postings = EXCLUDED.landmark_postings, triplet_postings = EXCLUDED.triplet_postings,
           algorithm_version = EXCLUDED.algorithm_version, indexed_at = EXCLUDED.indexed_at`,
        [
          trackId,
          durationSec,
          counts.landmark,
          counts.triplet,
          this.options.algorithmVersion ?? FINGERPRINT_ALGORITHM_VERSION,
        ],
      );
      return counts;
    });
  }

  /**
   * The background merge: moves every whole track waiting in the row tables into the packed rows, a batch
   * of tracks per transaction, and verifies each batch by reading the rows it wrote back (per track: the
   * postings gained equal the postings moved; otherwise the batch rolls back and nothing is lost). Tracks
   * being indexed right now (their lock is held) and tracks with a tombstone (their old packed postings must
   * be purged first) wait for a later merge; look-ups find them in the row tables meanwhile.
   */
  async mergePending(options: { maxTracks?: number } = {}): Promise<MergeResult> {
    const total: MergeResult = { tracks: 0, postings: 0, rowsWritten: 0 };
    // Tracks are visited in id order from a cursor, so a track skipped (locked, tombstoned) is not retried
    // within one call and each batch finds its candidates by a skip scan of the track index, not a full scan.
    const cursor = { after: -0x80000001 };
    while (options.maxTracks === undefined || total.tracks < options.maxTracks) {
      const batch = await this.transaction((client) => this.mergeBatch(client, cursor));
      if (!batch) break;
      total.tracks += batch.tracks;
      total.postings += batch.postings;
      total.rowsWritten += batch.rowsWritten;
    }
    if (total.tracks > 0) total.rowTierReclaimedBytes = await this.reclaimRowTier();
    return total;
  }

  /**
   * Truncates each row table that holds no posting and occupies more than ROW_TIER_RECLAIM_BYTES, giving its
   * heap and index pages back to the file system. Safe with indexers and look-ups running: the table lock is
   * taken with NOWAIT (any transaction that wrote or reads the table holds a lock on it, so then nothing is
   * done and the next merge tries again; nobody ever queues behind this), and emptiness is checked under
   * that lock, when no uncommitted write can exist. Returns the bytes given back.
   */
  async reclaimRowTier(): Promise<number> {
    let reclaimed = 0;
    for (const strategy of STRATEGIES) {
      const table = this.t.rows[strategy];
      const size = await this.pool.query<{ b: string }>(`SELECT pg_total_relation_size($1::regclass) AS b`, [table]);
      const before = Number(size.rows[0].b);
      if (before <= ROW_TIER_RECLAIM_BYTES) continue;
      try {
        const done = await this.transaction(async (client) => {
          await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE NOWAIT`);
          const any = await client.query(`SELECT 1 FROM ${table} LIMIT 1`);
          if (any.rowCount) return false;
          await client.query(`TRUNCATE ${table}`);
          return true;
        });
        if (done) {
          const after = await this.pool.query<{ b: string }>(`SELECT pg_total_relation_size($1::regclass) AS b`, [
            table,
          ]);
          reclaimed += before - Number(after.rows[0].b);
        }
      } catch (e) {
        // 55P03 lock_not_available: the table is in use right now; the next merge tries again.
        if ((e as { code?: string }).code !== '55P03') throw e;
      }
    }
    return reclaimed;
  }

  /**
   * Rewrites every packed row that holds postings of a tombstoned track without them, then drops those
   * tombstones (their tracks' new postings merge at the next mergePending). A full pass over the packed
   * tables, in batches: run it when tombstoned postings are a noticeable share (see pendingWork).
   */
  async purgeRemoved(): Promise<{ tombstones: number; rowsRewritten: number }> {
    const tombRes = await this.pool.query<{ track_id: number }>(`SELECT track_id FROM ${this.t.tombstones}`);
    const tombs = new Set(tombRes.rows.map((r) => r.track_id));
    if (tombs.size === 0) return { tombstones: 0, rowsRewritten: 0 };
    let rowsRewritten = 0;
    for (const strategy of STRATEGIES) {
      let after = -0x80000001;
      for (;;) {
        const page = await this.transaction(async (client) => {
          await client.query('SELECT pg_advisory_xact_lock($1, $2)', [
            MERGE_LOCK_NAMESPACE,
            MERGE_LOCK_KEY[this.t.slot],
          ]);
          const res = await client.query({
            text: `SELECT hash_key, postings FROM ${this.t.packed[strategy]} WHERE hash_key > $1::int8 ORDER BY hash_key LIMIT ${PURGE_ROWS_PER_BATCH} FOR UPDATE`,
            values: [after],
            rowMode: 'array',
          });
          const rows = res.rows as [number, Buffer][];
          const kept = new PostingColumnsBuffer();
          const emptied: number[] = [];
          let rewritten = 0;
          for (const [key, bytes] of rows) {
            const start = kept.length;
            let dropped = 0;
            decodePackedRow(strategy, key, bytes, (h, tr, t, a) => {
              if (tombs.has(tr)) dropped++;
              else kept.push(h, tr, t, a);
            });
            if (!dropped) kept.length = start;
            else if (kept.length === start) emptied.push(key);
            if (dropped) rewritten++;
          }
          await writePackedRows(client, this.t, strategy, kept, emptied);
          return { last: rows.length ? rows[rows.length - 1][0] : null, rewritten };
        });
        rowsRewritten += page.rewritten;
        if (page.last === null) break;
        after = page.last;
      }
    }
    await this.pool.query(`DELETE FROM ${this.t.tombstones} WHERE track_id = ANY($1::int4[])`, [
      `{${[...tombs].join(',')}}`,
    ]);
    return { tombstones: tombs.size, rowsRewritten };
  }

  /** What the background merge has left to do: postings in the row tables, and tombstones. */
  async pendingWork(): Promise<{ rowPostings: number; tombstones: number }> {
    const res = await this.pool.query<{ l: string; t: string; x: string }>(
      `SELECT (SELECT count(*) FROM ${this.t.rows.landmark}) AS l, (SELECT count(*) FROM ${this.t.rows.triplet}) AS t,
              (SELECT count(*) FROM ${this.t.tombstones}) AS x`,
    );
    return { rowPostings: Number(res.rows[0].l) + Number(res.rows[0].t), tombstones: Number(res.rows[0].x) };
  }

  private async mergeBatch(client: PoolClient, cursor: { after: number }): Promise<MergeResult | null> {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [MERGE_LOCK_NAMESPACE, MERGE_LOCK_KEY[this.t.slot]]);
    // The next tracks with postings waiting, by a skip scan of each row table's track index (a loose index
    // scan: one index probe per distinct track, however many postings each holds).
    const skipScan = (table: string) => `(WITH RECURSIVE t(track_id) AS (
         (SELECT track_id FROM ${table} WHERE track_id > $1::int8 ORDER BY track_id LIMIT 1)
         UNION ALL
         SELECT (SELECT x.track_id FROM ${table} x WHERE x.track_id > t.track_id ORDER BY x.track_id LIMIT 1)
         FROM t WHERE t.track_id IS NOT NULL)
       SELECT track_id FROM t WHERE track_id IS NOT NULL LIMIT ${MERGE_TRACKS_PER_BATCH})`;
    const candidates = await client.query<{ track_id: number }>(
      `SELECT track_id FROM (${skipScan(this.t.rows.landmark)} UNION ${skipScan(this.t.rows.triplet)}) c
       ORDER BY track_id LIMIT ${MERGE_TRACKS_PER_BATCH}`,
      [cursor.after],
    );
    if (candidates.rows.length === 0) return null;
    cursor.after = candidates.rows[candidates.rows.length - 1].track_id;
    // Not locked by an indexer right now (they wait for a later merge).
    const locked: number[] = [];
    for (const { track_id } of candidates.rows) {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [
        LOCK_NAMESPACE,
        track_id,
      ]);
      if (got.rows[0].ok) locked.push(track_id);
    }
    // Re-read under the locks: an indexer may have replaced or removed a track since the candidates query.
    const stillMergeable = await client.query<{ track_id: number }>(
      `SELECT u.track_id FROM unnest($1::int4[]) AS u(track_id)
       WHERE NOT EXISTS (SELECT 1 FROM ${this.t.tombstones} x WHERE x.track_id = u.track_id)`,
      [`{${locked.join(',')}}`],
    );
    const tracks = stillMergeable.rows.map((r) => r.track_id);
    const result: MergeResult = { tracks: tracks.length, postings: 0, rowsWritten: 0 };
    if (tracks.length === 0) return result;
    const trackList = `{${tracks.join(',')}}`;
    const tombRes = await client.query<{ track_id: number }>(`SELECT track_id FROM ${this.t.tombstones}`);
    const tombs = new Set(tombRes.rows.map((r) => r.track_id));
    for (const strategy of STRATEGIES) {
      const fresh = await client.query({
        text: `SELECT hash, track_id, t, aux FROM ${this.t.rows[strategy]} WHERE track_id = ANY($1::int4[])`,
        values: [trackList],
        rowMode: 'array',
      });
      const freshRows = fresh.rows as number[][];
      if (freshRows.length === 0) continue;
      const added = new Map<number, number>();
      const all = new PostingColumnsBuffer(freshRows.length * 2);
      const keySet = new Set<number>();
      for (const [h, tr, t, a] of freshRows) {
        all.push(h, tr, t, a);
        keySet.add(packedKeyOf(strategy, h));
        added.set(tr, (added.get(tr) ?? 0) + 1);
      }
      const keys = `{${[...keySet].join(',')}}`;
      // What the rows held before, per merged track (a track may also have been appended to after a merge).
      const before = new Map<number, number>();
      const existing = await client.query({
        text: `SELECT hash_key, postings FROM ${this.t.packed[strategy]} WHERE hash_key = ANY($1::int4[]) FOR UPDATE`,
        values: [keys],
        rowMode: 'array',
      });
      for (const [key, bytes] of existing.rows as [number, Buffer][]) {
        decodePackedRow(strategy, key, bytes, (h, tr, t, a) => {
          if (tombs.has(tr)) return; // purged on the way: a tombstoned track's packed postings are all old
          all.push(h, tr, t, a);
          if (added.has(tr)) before.set(tr, (before.get(tr) ?? 0) + 1);
        });
      }
      // What PostgreSQL stored (RETURNING), decoded: per merged track, the postings gained must be those moved.
      const written = await writePackedRows(client, this.t, strategy, all, [], this.encodeRow);
      result.rowsWritten += written.length;
      const after = new Map<number, { n: number; lo: number; hi: number }>();
      for (const [key, bytes] of written) {
        decodePackedRow(strategy, key, bytes, (_h, tr, t) => {
          if (!added.has(tr)) return;
          const s = after.get(tr);
          if (s) {
            s.n++;
            if (t < s.lo) s.lo = t;
            if (t > s.hi) s.hi = t;
          } else after.set(tr, { n: 1, lo: t, hi: t });
        });
      }
      for (const [tr, n] of added) {
        const got = (after.get(tr)?.n ?? 0) - (before.get(tr) ?? 0);
        if (got !== n) {
          throw new PackedPostingsVerificationError(
            `merge of track ${tr} (${strategy}): packed rows gained ${got} postings, ${n} were moved`,
          );
        }
      }
      const deleted = await client.query(`DELETE FROM ${this.t.rows[strategy]} WHERE track_id = ANY($1::int4[])`, [
        trackList,
      ]);
      if (deleted.rowCount !== freshRows.length) {
        throw new PackedPostingsVerificationError(
          `merge (${strategy}): ${deleted.rowCount} row postings deleted, ${freshRows.length} were read`,
        );
      }
      const ids = [...added.keys()];
      await client.query(
        `INSERT INTO ${this.t.packedTracks} (track_id, strategy, postings, first_frame, last_frame)
         SELECT * FROM unnest($1::int4[], $2::text[], $3::int4[], $4::int4[], $5::int4[])
         ON CONFLICT (track_id, strategy) DO UPDATE SET postings = ${this.t.packedTracks}.postings + EXCLUDED.postings,
           first_frame = LEAST(${this.t.packedTracks}.first_frame, EXCLUDED.first_frame),
           last_frame = GREATEST(${this.t.packedTracks}.last_frame, EXCLUDED.last_frame)`,
        [
          `{${ids.join(',')}}`,
          `{${ids.map(() => strategy).join(',')}}`,
          `{${ids.map((t) => added.get(t)).join(',')}}`,
          `{${ids.map((t) => after.get(t)!.lo).join(',')}}`,
          `{${ids.map((t) => after.get(t)!.hi).join(',')}}`,
        ],
      );
      result.postings += freshRows.length;
    }
    return result;
  }

  /** The row encoder (a seam for tests that need a store which loses postings while merging). */
  protected encodeRow = encodePackedRow;

  async getTracks(trackIds: readonly number[]): Promise<Map<number, IndexedTrack>> {
    const out = new Map<number, IndexedTrack>();
    if (trackIds.length === 0) return out;
    const res = await this.pool.query<{
      track_id: number;
      external_id: string | null;
      duration_sec: number | null;
      landmark_postings: number | null;
      triplet_postings: number | null;
      algorithm_version: number | null;
    }>(
      `SELECT f.track_id, m.external_id, f.duration_sec, f.landmark_postings, f.triplet_postings, f.algorithm_version
       FROM ${this.t.facts} f JOIN ${TRACK_ID_TABLE} m ON m.track_id = f.track_id
       WHERE f.track_id = ANY($1::int4[]) AND f.indexed_at IS NOT NULL`,
      [`{${trackIds.join(',')}}`],
    );
    for (const r of res.rows) {
      out.set(r.track_id, {
        trackId: r.track_id,
        externalId: r.external_id,
        durationSec: r.duration_sec ?? 0,
        landmarkPostings: r.landmark_postings ?? 0,
        tripletPostings: r.triplet_postings ?? 0,
        algorithmVersion: r.algorithm_version ?? 0,
      });
    }
    return out;
  }

  /**
   * Bytes on disk (pg_total_relation_size: heap, indexes and TOAST) of each strategy's row tier and packed
   * tier, of the small per-track tables both share, and in total.
   */
  async storageBytes(): Promise<StorageBytes> {
    const size = (t: string) => `pg_total_relation_size('${t}')`;
    const res = await this.pool.query<Record<'rl' | 'rt' | 'pl' | 'pt' | 's', string>>(
      `SELECT ${size(this.t.rows.landmark)} AS rl, ${size(this.t.rows.triplet)} AS rt, ${size(this.t.packed.landmark)} AS pl,
              ${size(this.t.packed.triplet)} AS pt,
              ${size(this.t.packedTracks)} + ${size(this.t.tombstones)} AS s`,
    );
    const r = res.rows[0];
    const rows = { landmark: Number(r.rl), triplet: Number(r.rt) };
    const packed = { landmark: Number(r.pl), triplet: Number(r.pt) };
    const shared = Number(r.s);
    return { rows, packed, shared, total: rows.landmark + rows.triplet + packed.landmark + packed.triplet + shared };
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }

  /** Writes row postings (protected: a seam for tests of a store that loses postings). */
  protected async insert(
    db: Pick<Pool, 'query'>,
    strategy: Strategy,
    trackId: number,
    batch: PostingBatch,
  ): Promise<number> {
    let inserted = 0;
    for (const chunk of chunksOf(batch, INSERT_CHUNK)) {
      const res = await db.query(
        `INSERT INTO ${this.t.rows[strategy]} (hash, track_id, t, aux)
         SELECT h, $2, t, a FROM unnest($1::int4[], $3::int4[], $4::int4[]) AS u(h, t, a)`,
        [int4ArrayBinary(chunk.hash), trackId, int4ArrayBinary(chunk.time), int4ArrayBinary(chunk.aux)],
      );
      inserted += res.rowCount ?? 0;
    }
    return inserted;
  }

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}

/** Both tiers in one statement (one snapshot: a merge moving the track meanwhile is seen whole or not at all). */
async function readBackWith(
  db: Pick<Pool, 'query'>,
  t: FingerprintTableSet,
  strategy: Strategy,
  trackId: number,
): Promise<PostingReadBack> {
  const res = await db.query<{
    n: string;
    lo: number | null;
    hi: number | null;
    pn: number | null;
    plo: number | null;
    phi: number | null;
  }>(
    `SELECT r.n, r.lo, r.hi, p.postings AS pn, p.first_frame AS plo, p.last_frame AS phi
     FROM (SELECT count(*) AS n, min(t) AS lo, max(t) AS hi FROM ${t.rows[strategy]} WHERE track_id = $1) r
     LEFT JOIN ${t.packedTracks} p ON p.track_id = $1 AND p.strategy = $2`,
    [trackId, strategy],
  );
  const r = res.rows[0];
  const count = Number(r.n) + (r.pn ?? 0);
  const pick = (a: number | null, b: number | null, f: (x: number, y: number) => number) =>
    a === null ? b : b === null ? a : f(a, b);
  return { count, firstFrame: pick(r.lo, r.plo, Math.min), lastFrame: pick(r.hi, r.phi, Math.max) };
}

/**
 * Forgets what a slot recorded about a track. Slot a keeps its facts in the row that also maps the track's
 * recording id (which every slot shares, and which stays so the track keeps its id): the facts are cleared.
 */
async function forgetFacts(client: PoolClient, t: FingerprintTableSet, trackId: number): Promise<void> {
  if (t.facts === TRACK_ID_TABLE) {
    await client.query(
      `UPDATE ${TRACK_ID_TABLE} SET duration_sec = NULL, landmark_postings = NULL, triplet_postings = NULL,
         algorithm_version = NULL, indexed_at = NULL WHERE track_id = $1`,
      [trackId],
    );
  } else {
    await client.query(`DELETE FROM ${t.facts} WHERE track_id = $1`, [trackId]);
  }
}

/**
 * Removes a track's row postings and hides its packed ones behind a tombstone (under the track's lock).
 * Returns the postings removed from view.
 */
async function removeTrackWith(client: PoolClient, t: FingerprintTableSet, trackId: number): Promise<number> {
  let removed = 0;
  for (const s of STRATEGIES)
    removed += (await client.query(`DELETE FROM ${t.rows[s]} WHERE track_id = $1`, [trackId])).rowCount ?? 0;
  const packed = await client.query<{ n: string | null }>(
    `DELETE FROM ${t.packedTracks} WHERE track_id = $1 RETURNING postings AS n`,
    [trackId],
  );
  if (packed.rows.length) {
    for (const r of packed.rows) removed += Number(r.n ?? 0);
    await client.query(`INSERT INTO ${t.tombstones} (track_id) VALUES ($1) ON CONFLICT DO NOTHING`, [trackId]);
  }
  return removed;
}

/** Packed rows per INSERT, and bytes of postings per INSERT (a single larger row goes alone). */
const PACKED_INSERT_CHUNK = 40_000;
const PACKED_INSERT_BYTES = 32 << 20;

/**
 * Writes the packed rows of every key in `postings` (replacing what was there) and deletes the rows of
 * `emptied` keys; returns the rows as PostgreSQL stored them (RETURNING), for the caller to verify.
 */
async function writePackedRows(
  client: PoolClient,
  t: FingerprintTableSet,
  strategy: Strategy,
  postings: PostingColumnsBuffer,
  emptied: number[],
  encode: typeof encodePackedRow = encodePackedRow,
): Promise<[number, Buffer][]> {
  sortPostings(postings);
  const keys: number[] = [];
  const rows: Uint8Array[] = [];
  for (let start = 0; start < postings.length;) {
    const key = packedKeyOf(strategy, postings.hash[start]);
    let end = start + 1;
    while (end < postings.length && packedKeyOf(strategy, postings.hash[end]) === key) end++;
    keys.push(key);
    rows.push(encode(strategy, postings, start, end));
    start = end;
  }
  if (emptied.length)
    await client.query(`DELETE FROM ${t.packed[strategy]} WHERE hash_key = ANY($1::int4[])`, [
      int4ArrayBinary(Int32Array.from(emptied)),
    ]);
  const stored: [number, Buffer][] = [];
  // Statements of at most PACKED_INSERT_CHUNK rows and PACKED_INSERT_BYTES of postings, sent as binary arrays:
  // at 10,000 h the rows one merge rewrites for three songs hold 765 MB, which as one hex string overran
  // V8's string limit and failed the merge every time (bench/fingerprint/scale-merge-mix.ts).
  for (const [start, end] of insertChunks(rows, PACKED_INSERT_CHUNK, PACKED_INSERT_BYTES)) {
    const res = await client.query({
      text: `INSERT INTO ${t.packed[strategy]} (hash_key, postings)
             SELECT k, p FROM unnest($1::int4[], $2::bytea[]) AS u(k, p)
             ON CONFLICT (hash_key) DO UPDATE SET postings = EXCLUDED.postings
             RETURNING hash_key, postings`,
      values: [int4ArrayBinary(Int32Array.from(keys.slice(start, end))), byteaArrayBinary(rows.slice(start, end))],
      rowMode: 'array',
    });
    for (const r of res.rows as [number, Buffer][]) stored.push(r);
  }
  return stored;
}

/**
 * Appends the postings of one packed row whose hashes were asked for (tombstoned tracks left out). A row of
 * several hashes (triplets: 16) is read once, without a callback per posting, and only the asked hashes'
 * postings are kept.
 */
function decodeInto(
  strategy: Strategy,
  key: number,
  bytes: Uint8Array,
  hashes: Int32Array,
  tombstones: Set<number> | null,
  out: LookupBuffer,
): void {
  const row = new PackedRowReader(strategy, key, bytes);
  out.reserve(out.length + row.count);
  let j = lowerBound(hashes, row.hash);
  let asked = false;
  while (row.next()) {
    if (row.newHash) {
      while (j < hashes.length && hashes[j] < row.hash) j++;
      asked = j < hashes.length && hashes[j] === row.hash;
    }
    const tr = row.trackId | 0;
    if (asked && (tombstones === null || !tombstones.has(tr))) out.push(j, tr, row.time | 0, row.aux | 0);
  }
}

/** Growable look-up result. */
class LookupBuffer {
  length = 0;
  private hashIndex = new Int32Array(1024);
  private trackId = new Int32Array(1024);
  private time = new Int32Array(1024);
  private aux = new Int32Array(1024);

  push(hashIndex: number, trackId: number, time: number, aux: number): void {
    if (this.length === this.hashIndex.length) this.reserve(this.length * 2);
    const i = this.length++;
    this.hashIndex[i] = hashIndex;
    this.trackId[i] = trackId;
    this.time[i] = time;
    this.aux[i] = aux;
  }

  /** Room for `capacity` postings (grows by doubling at least). */
  reserve(capacity: number): void {
    if (capacity <= this.hashIndex.length) return;
    const cap = Math.max(capacity, this.hashIndex.length * 2);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.hashIndex = grow(this.hashIndex);
    this.trackId = grow(this.trackId);
    this.time = grow(this.time);
    this.aux = grow(this.aux);
  }

  result(): LookupResult {
    return { length: this.length, hashIndex: this.hashIndex, trackId: this.trackId, time: this.time, aux: this.aux };
  }

  /** Without the postings of hashes holding more than `limit` of them (the acoustic stop words). */
  withoutFullHashes(hashCount: number, limit: number): LookupResult {
    const perHash = new Int32Array(hashCount);
    for (let i = 0; i < this.length; i++) perHash[this.hashIndex[i]]++;
    const out = new LookupBuffer();
    for (let i = 0; i < this.length; i++) {
      if (perHash[this.hashIndex[i]] <= limit) out.push(this.hashIndex[i], this.trackId[i], this.time[i], this.aux[i]);
    }
    return out.result();
  }
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function lockTrack(client: PoolClient, trackId: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, trackId]);
}

/** The distinct packed keys of sorted hashes, ascending. */
function packedKeysOf(hashes: Int32Array, shift: number): Int32Array {
  if (shift === 0) return hashes;
  const keys = new Int32Array(hashes.length);
  let n = 0;
  for (let i = 0; i < hashes.length; i++) {
    const k = hashes[i] >> shift;
    if (n === 0 || keys[n - 1] !== k) keys[n++] = k;
  }
  return keys.subarray(0, n);
}

/** PostgreSQL's int4 and bytea element types (pg_type oids). */
const INT4_OID = 23;
const BYTEA_OID = 17;

/**
 * A one-dimensional int4[] in PostgreSQL's binary format (array_recv): node-postgres sends a Buffer
 * parameter in binary, and the `::int4[]` in the statement tells the server how to read it. 20 bytes of
 * header, then a length word and a big-endian value per element.
 */
export function int4ArrayBinary(values: Int32Array): Buffer {
  const buf = Buffer.allocUnsafe(20 + 8 * values.length);
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(0, 4); // no NULLs
  buf.writeInt32BE(INT4_OID, 8);
  buf.writeInt32BE(values.length, 12);
  buf.writeInt32BE(1, 16); // lower bound
  for (let i = 0, o = 20; i < values.length; i++, o += 8) {
    buf.writeInt32BE(4, o);
    buf.writeInt32BE(values[i], o + 4);
  }
  return buf;
}

/**
 * Consecutive [start, end) runs of `rows`, each of at most `maxRows` rows and `maxBytes` bytes; a single row
 * larger than `maxBytes` makes a run of its own.
 */
export function insertChunks(rows: readonly Uint8Array[], maxRows: number, maxBytes: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    let bytes = rows[start].length;
    while (end < rows.length && end - start < maxRows && bytes + rows[end].length <= maxBytes)
      bytes += rows[end++].length;
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** A one-dimensional bytea[] in PostgreSQL's binary format (array_recv): each element's length, then its bytes. */
export function byteaArrayBinary(values: readonly Uint8Array[]): Buffer {
  let size = 20;
  for (const v of values) size += 4 + v.length;
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(0, 4); // no NULLs
  buf.writeInt32BE(BYTEA_OID, 8);
  buf.writeInt32BE(values.length, 12);
  buf.writeInt32BE(1, 16); // lower bound
  let o = 20;
  for (const v of values) {
    buf.writeInt32BE(v.length, o);
    buf.set(v, o + 4);
    o += 4 + v.length;
  }
  return buf;
}

/** Index of `value` in `sorted`, or -1. */
function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Runs `work` in one transaction on a client of `pool`: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: PgPool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
