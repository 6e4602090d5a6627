import { fingerprintPcm } from '../fingerprint';
import { FingerprintVerificationError, indexTrack } from '../indexing';
import { STRATEGIES, Strategy } from '../params';
import { PostingBatch, PostingBuffer } from '../postings';
import { createScratchDatabase, ScratchDatabase } from '../../test/support/pg';
import { synthChunks } from '../../test/support/synth';
import type { FingerprintIndex, LookupOptions } from './fingerprint-index';
import { MemoryFingerprintIndex } from './memory-index';
import { encodePackedRow } from './packed-postings';
import { PackedPostingsVerificationError, PostgresFingerprintIndex, type PgPool } from './postgres-index';

/** Postings over a small hash range, so that many tracks share hashes and packed rows hold several tracks. */
function randomPostings(n: number, seed: number, hashRange = 3000): PostingBuffer {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const b = new PostingBuffer();
  for (let i = 0; i < n; i++) b.push((rnd() % hashRange) - 1500, rnd() % 200_000, rnd() | 0, -1);
  return b;
}

const QUERY = Int32Array.from({ length: 1500 }, (_, i) => i * 2 - 1500);

async function rows(index: FingerprintIndex, strategy: Strategy, options?: LookupOptions): Promise<string[]> {
  const r = await index.lookup(strategy, QUERY, options);
  return Array.from(
    { length: r.length },
    (_, i) => `${r.hashIndex[i]}:${r.trackId[i]}:${r.time[i]}:${r.aux[i]}`,
  ).sort();
}

/** Every look-up and every track's read-back agree between the two indexes. */
async function expectSameAs(memory: MemoryFingerprintIndex, pg: PostgresFingerprintIndex, tracks: number[]) {
  for (const s of STRATEGIES) {
    const expected = await rows(memory, s);
    expect(expected.length).toBeGreaterThan(100);
    expect(await rows(pg, s)).toEqual(expected);
    expect(await rows(pg, s, { maxPostingsPerHash: 3 })).toEqual(await rows(memory, s, { maxPostingsPerHash: 3 }));
  }
  for (const t of tracks)
    for (const s of STRATEGIES) expect(await pg.readBack(s, t)).toEqual(await memory.readBack(s, t));
}

function both(p: PostingBuffer, q: PostingBuffer): Record<Strategy, PostingBatch> {
  return { landmark: p.batch(), triplet: q.batch() };
}

describe('PostgresFingerprintIndex, compact (packed) layout', () => {
  let db: ScratchDatabase;
  let index: PostgresFingerprintIndex;

  beforeEach(async () => {
    db = await createScratchDatabase('fppacked');
    await PostgresFingerprintIndex.createSchema(db.pool);
    index = new PostgresFingerprintIndex(db.pool);
  });
  afterEach(async () => {
    await index?.close();
    await db?.drop();
  });

  it('answers look-ups like the in-memory index before and after a merge, with removals pending', async () => {
    const memory = new MemoryFingerprintIndex();
    const tracks = [-(2 ** 31), -7, 0, 1, 2, 3, 2 ** 31 - 1];
    for (const [k, id] of tracks.entries()) {
      const p = both(randomPostings(2000, 10 + k), randomPostings(1500, 50 + k));
      await index.replaceTrack(id, 60, p);
      await memory.replaceTrack(id, 60, p);
    }
    await expectSameAs(memory, index, tracks);

    const merged = await index.mergePending();
    expect(merged).toMatchObject({ tracks: tracks.length, postings: tracks.length * 3500 });
    expect(await index.pendingWork()).toEqual({ rowPostings: 0, tombstones: 0 });
    await expectSameAs(memory, index, tracks);

    // Removals and re-indexing while the old postings are still packed: tombstones hide them.
    for (const ix of [index, memory] as FingerprintIndex[]) {
      await ix.removeTrack(1);
      await ix.replaceTrack(2, 60, both(randomPostings(900, 99), randomPostings(700, 98)));
      await ix.addPostings('landmark', 3, randomPostings(300, 97).batch());
    }
    expect((await index.pendingWork()).tombstones).toBe(2);
    await expectSameAs(memory, index, tracks);

    // A merge packs the appended postings; the re-indexed track waits in the row tables for the purge.
    expect(await index.mergePending()).toMatchObject({ tracks: 1, postings: 300 });
    await expectSameAs(memory, index, tracks);
    expect(await index.purgeRemoved()).toMatchObject({ tombstones: 2 });
    await expectSameAs(memory, index, tracks);
    expect(await index.mergePending()).toMatchObject({ tracks: 1, postings: 1600 });
    expect(await index.pendingWork()).toEqual({ rowPostings: 0, tombstones: 0 });
    await expectSameAs(memory, index, tracks);
    expect(await index.removeTrack(2 ** 31 - 1)).toBe(3500);
    expect(await index.countPostings('landmark', 2 ** 31 - 1)).toBe(0);
  });

  it('loses nothing when tracks are indexed, re-indexed and removed while merges run', async () => {
    const memory = new MemoryFingerprintIndex();
    const ids = Array.from({ length: 24 }, (_, i) => 100 + i);
    let stop = false;
    const merger = (async () => {
      let merges = 0;
      while (!stop) {
        await index.mergePending();
        if (merges++ % 3 === 2) await index.purgeRemoved();
      }
      return merges;
    })();
    const indexers = [0, 1, 2].map(async (worker) => {
      for (const id of ids.filter((_, i) => i % 3 === worker)) {
        for (let version = 0; version < 3; version++) {
          const p = both(randomPostings(800, id * 10 + version), randomPostings(600, id * 10 + version + 5));
          await index.replaceTrack(id, 30, p);
          await memory.replaceTrack(id, 30, p);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (id % 5 === 0) {
          await index.removeTrack(id);
          await memory.removeTrack(id);
        }
      }
    });
    await Promise.all(indexers);
    stop = true;
    expect(await merger).toBeGreaterThan(1);
    await expectSameAs(memory, index, ids);
    await index.purgeRemoved();
    await index.mergePending();
    expect(await index.pendingWork()).toEqual({ rowPostings: 0, tombstones: 0 });
    await expectSameAs(memory, index, ids);
  }, 60_000);

  it('gives the emptied row tier back after a merge, but never truncates under an open write', async () => {
    const memory = new MemoryFingerprintIndex();
    const tracks = Array.from({ length: 8 }, (_, i) => 10 + i);
    for (const id of tracks) {
      const p = both(randomPostings(5000, id), randomPostings(4000, id + 50));
      await index.replaceTrack(id, 60, p);
      await memory.replaceTrack(id, 60, p);
    }
    const before = await index.storageBytes();
    expect(before.rows.landmark).toBeGreaterThan(2 << 20);
    expect(before.rows.triplet).toBeGreaterThan(2 << 20);

    // A writer in the middle of its transaction on the landmark row table (uncommitted postings of track 99).
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO fingerprint_landmark_postings (hash, track_id, t, aux) VALUES (-1500, 99, 7, -1)`,
      );
      const merged = await index.mergePending();
      expect(merged).toMatchObject({ tracks: tracks.length, postings: tracks.length * 9000 });
      const during = await index.storageBytes();
      expect(during.rows.landmark).toBe(before.rows.landmark); // in use: left alone
      expect(during.rows.triplet).toBeLessThan(64 << 10); // truncated
      expect(merged.rowTierReclaimedBytes).toBe(before.rows.triplet - during.rows.triplet);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    const one = new PostingBuffer();
    one.push(-1500, 7, -1, 0);
    await memory.addPostings('landmark', 99, one.batch());
    await expectSameAs(memory, index, [...tracks, 99]);

    // The next merge packs the late posting and gives the landmark row table back too.
    expect(await index.mergePending()).toMatchObject({ tracks: 1, postings: 1 });
    expect((await index.storageBytes()).rows.landmark).toBeLessThan(64 << 10);
    expect(await index.pendingWork()).toEqual({ rowPostings: 0, tombstones: 0 });
    await expectSameAs(memory, index, [...tracks, 99]);
    // New postings land in the truncated tables as before.
    const p = both(randomPostings(700, 5), randomPostings(600, 6));
    await index.replaceTrack(200, 30, p);
    await memory.replaceTrack(200, 30, p);
    await expectSameAs(memory, index, [...tracks, 99, 200]);
  }, 60_000);

  it('a merge that would lose postings is caught by its read-back and rolls back', async () => {
    class LossyMerge extends PostgresFingerprintIndex {
      protected override encodeRow: typeof encodePackedRow = (s, p, start, end) =>
        encodePackedRow(s, p, start, Math.max(start + 1, end - 1));
    }
    const lossy = new LossyMerge(db.pool);
    const memory = new MemoryFingerprintIndex();
    for (const id of [1, 2, 3]) {
      const p = both(randomPostings(500, id), randomPostings(400, id + 7));
      await lossy.replaceTrack(id, 20, p);
      await memory.replaceTrack(id, 20, p);
    }
    await expect(lossy.mergePending()).rejects.toBeInstanceOf(PackedPostingsVerificationError);
    expect(await index.pendingWork()).toEqual({ rowPostings: 2700, tombstones: 0 });
    await expectSameAs(memory, index, [1, 2, 3]);
  });

  it('indexTrack still catches a store that drops postings, and a merged track still reads back whole', async () => {
    class DroppingStore extends PostgresFingerprintIndex {
      protected override insert(db: Pick<PgPool, 'query'>, strategy: Strategy, trackId: number, batch: PostingBatch) {
        const half = Math.floor(batch.length / 2);
        return super.insert(db, strategy, trackId, {
          length: half,
          hash: batch.hash.subarray(0, half),
          time: batch.time.subarray(0, half),
          aux: batch.aux.subarray(0, half),
        });
      }
    }
    const fp = await fingerprintPcm(synthChunks(5, 40, 10));
    await expect(indexTrack(new DroppingStore(db.pool), 9, fp)).rejects.toBeInstanceOf(FingerprintVerificationError);
    expect(await index.countPostings('landmark', 9)).toBe(0);

    const result = await indexTrack(index, 9, fp);
    await index.mergePending();
    for (const s of STRATEGIES) {
      const back = await index.readBack(s, 9);
      expect(back.count).toBe(result.produced[s]);
      expect(back.lastFrame).toBe(Math.max(...fp[s].time.subarray(0, fp[s].length)));
    }
    // Re-indexing a merged track (the stage's retry) reads back the new postings alone.
    const again = await indexTrack(index, 9, fp);
    expect(again.stored).toEqual(result.produced);
  });
});
