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
import { FINGERPRINT_SCHEMA_SQL } from './schema';

const TABLE: Record<Strategy, string> = {
  landmark: 'fingerprint_landmark_postings',
  triplet: 'fingerprint_triplet_postings',
};

/** Rows per INSERT: big enough to amortise the round trip, small enough for a ~1 MB statement. */
const INSERT_CHUNK = 50_000;
/** Hashes per look-up query. */
const LOOKUP_CHUNK = 20_000;
/** Advisory-lock namespace of track replacement (two replicas indexing one track wait for each other). */
const LOCK_NAMESPACE = 0x46505258; // "FPRX"

/** Anything that hands out clients and runs queries: a pg.Pool. */
export type PgPool = Pick<Pool, 'connect' | 'query' | 'end'>;

export interface PostgresIndexOptions {
  /** End the pool in close() (default false: the caller owns it). */
  ownsPool?: boolean;
}

/**
 * FingerprintIndex on PostgreSQL through `pg` (tables: FINGERPRINT_SCHEMA_SQL). Shared by any number of
 * fingerprint replicas; survives restarts; grows without a capacity cap (see schema.ts and README.md).
 */
export class PostgresFingerprintIndex implements FingerprintIndex {
  constructor(
    private readonly pool: PgPool,
    private readonly options: PostgresIndexOptions = {},
  ) {}

  /** Creates the tables if missing (tests and tools; deployments run the migration instead). */
  static async createSchema(pool: PgPool): Promise<void> {
    await pool.query(FINGERPRINT_SCHEMA_SQL);
  }

  /** The compact track id of an external recording id (a uuid), allocated on first use. */
  async ensureTrackId(externalId: string): Promise<number> {
    const res = await this.pool.query<{ track_id: number }>(
      `INSERT INTO fingerprint_tracks (external_id) VALUES ($1)
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
    return readBackWith(this.pool, strategy, trackId);
  }

  async removeTrack(trackId: number): Promise<number> {
    return this.transaction(async (client) => {
      await lockTrack(client, trackId);
      let removed = 0;
      for (const s of STRATEGIES)
        removed += (await client.query(`DELETE FROM ${TABLE[s]} WHERE track_id = $1`, [trackId])).rowCount ?? 0;
      await client.query('DELETE FROM fingerprint_tracks WHERE track_id = $1', [trackId]);
      return removed;
    });
  }

  async lookup(strategy: Strategy, hashes: Int32Array, options: LookupOptions = {}): Promise<LookupResult> {
    if (hashes.length === 0) return EMPTY_LOOKUP;
    assertSortedUnique(hashes);
    const cols = 'hash, track_id, t, aux';
    const limit = options.maxPostingsPerHash;
    let hashIndex: number[] = [];
    const trackId: number[] = [];
    const time: number[] = [];
    const aux: number[] = [];
    for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) {
      const part = hashes.subarray(start, Math.min(hashes.length, start + LOOKUP_CHUNK));
      const sql =
        limit === undefined
          ? `SELECT ${cols} FROM ${TABLE[strategy]} WHERE hash = ANY($1::int4[])`
          : // Up to limit+1 postings per hash, so over-full hashes can be recognised and skipped below.
            `SELECT q.hash, p.track_id, p.t, p.aux
             FROM unnest($1::int4[]) AS q(hash)
             CROSS JOIN LATERAL (SELECT track_id, t, aux FROM ${TABLE[strategy]} x WHERE x.hash = q.hash LIMIT ${limit + 1}) p`;
      const res = await this.pool.query({ text: sql, values: [int4ArrayLiteral(part)], rowMode: 'array' });
      for (const row of res.rows as number[][]) {
        hashIndex.push(start + binarySearch(part, row[0]));
        trackId.push(row[1]);
        time.push(row[2]);
        aux.push(row[3]);
      }
    }
    let keep: boolean[] | null = null;
    if (limit !== undefined) {
      const perHash = new Map<number, number>();
      for (const h of hashIndex) perHash.set(h, (perHash.get(h) ?? 0) + 1);
      keep = hashIndex.map((h) => perHash.get(h)! <= limit);
      hashIndex = hashIndex.filter((_, i) => keep![i]);
    }
    const pick = (xs: number[]) => Int32Array.from(keep ? xs.filter((_, i) => keep![i]) : xs);
    return {
      length: hashIndex.length,
      hashIndex: Int32Array.from(hashIndex),
      trackId: pick(trackId),
      time: pick(time),
      aux: pick(aux),
    };
  }

  async replaceTrack(
    trackId: number,
    durationSec: number,
    postings: Record<Strategy, PostingBatch>,
  ): Promise<StoredCounts> {
    assertTrackId(trackId);
    return this.transaction(async (client) => {
      await lockTrack(client, trackId);
      for (const s of STRATEGIES) await client.query(`DELETE FROM ${TABLE[s]} WHERE track_id = $1`, [trackId]);
      for (const s of STRATEGIES) await this.insert(client, s, trackId, postings[s]);
      // Observed, not inferred: count what the tables now hold for the track.
      const counts: StoredCounts = { landmark: 0, triplet: 0 };
      for (const s of STRATEGIES) counts[s] = (await readBackWith(client, s, trackId)).count;
      await client.query(
        `INSERT INTO fingerprint_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (track_id) DO UPDATE SET duration_sec = EXCLUDED.duration_sec,
           landmark_postings = EXCLUDED.landmark_postings, triplet_postings = EXCLUDED.triplet_postings,
           algorithm_version = EXCLUDED.algorithm_version, indexed_at = EXCLUDED.indexed_at`,
        [trackId, durationSec, counts.landmark, counts.triplet, FINGERPRINT_ALGORITHM_VERSION],
      );
      return counts;
    });
  }

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
      `SELECT track_id, external_id, duration_sec, landmark_postings, triplet_postings, algorithm_version
       FROM fingerprint_tracks WHERE track_id = ANY($1::int4[]) AND indexed_at IS NOT NULL`,
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

  /** Bytes on disk of the postings tables with their indexes (pg_total_relation_size). */
  async storageBytes(): Promise<Record<Strategy, number>> {
    const res = await this.pool.query<{ l: string; t: string }>(
      `SELECT pg_total_relation_size('${TABLE.landmark}') AS l, pg_total_relation_size('${TABLE.triplet}') AS t`,
    );
    return { landmark: Number(res.rows[0].l), triplet: Number(res.rows[0].t) };
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }

  private async insert(
    db: Pick<Pool, 'query'>,
    strategy: Strategy,
    trackId: number,
    batch: PostingBatch,
  ): Promise<number> {
    let inserted = 0;
    for (const chunk of chunksOf(batch, INSERT_CHUNK)) {
      const res = await db.query(
        `INSERT INTO ${TABLE[strategy]} (hash, track_id, t, aux)
         SELECT h, $2, t, a FROM unnest($1::int4[], $3::int4[], $4::int4[]) AS u(h, t, a)`,
        [int4ArrayLiteral(chunk.hash), trackId, int4ArrayLiteral(chunk.time), int4ArrayLiteral(chunk.aux)],
      );
      inserted += res.rowCount ?? 0;
    }
    return inserted;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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
}

async function readBackWith(db: Pick<Pool, 'query'>, strategy: Strategy, trackId: number): Promise<PostingReadBack> {
  const res = await db.query<{ n: string; lo: number | null; hi: number | null }>(
    `SELECT count(*) AS n, min(t) AS lo, max(t) AS hi FROM ${TABLE[strategy]} WHERE track_id = $1`,
    [trackId],
  );
  const r = res.rows[0];
  return { count: Number(r.n), firstFrame: r.lo, lastFrame: r.hi };
}

async function lockTrack(client: PoolClient, trackId: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, trackId]);
}

/** PostgreSQL array literal of int32 values ('{1,-2,3}'): far cheaper than pg's generic array encoding. */
function int4ArrayLiteral(values: Int32Array): string {
  return `{${values.join(',')}}`;
}

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
  throw new Error(`look-up returned hash ${value} that was not asked for`);
}
