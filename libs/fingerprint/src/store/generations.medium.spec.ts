import { FINGERPRINT_ALGORITHM_VERSION, STRATEGIES, Strategy } from '../params';
import { PostingBuffer } from '../postings';
import { createScratchDatabase, ScratchDatabase } from '../../test/support/pg';
import {
  FINGERPRINT_LAYOUT_VERSION,
  GenerationalFingerprintIndex,
  IndexRebuildingError,
  IndexVersionMismatchError,
  type IndexVersion,
} from './generations';
import { PostgresFingerprintIndex } from './postgres-index';

const V = FINGERPRINT_ALGORITHM_VERSION;
const L = FINGERPRINT_LAYOUT_VERSION;
const version = (algorithmVersion: number, layoutVersion = L): IndexVersion => ({ algorithmVersion, layoutVersion });

function postings(seed: number, n = 400): Record<Strategy, PostingBuffer> {
  const out = {} as Record<Strategy, PostingBuffer>;
  for (const s of STRATEGIES) {
    const b = new PostingBuffer();
    for (let i = 0; i < n; i++) b.push(((seed * 7919 + i * 104729) % 100_000) - 50_000, 0, i, 200);
    out[s] = b;
  }
  return out;
}
const batches = (p: Record<Strategy, PostingBuffer>) => ({ landmark: p.landmark.batch(), triplet: p.triplet.batch() });
const sortedHashes = (p: PostingBuffer) => Int32Array.from(new Set(p.batch().hash)).sort();
const tracksOf = (r: { length: number; trackId: Int32Array }) => new Set(r.trackId.subarray(0, r.length));

/** The generations layer on the real PostgreSQL: which slot reads and writes, who may start a rebuild, the flip. */
describe('index generations (real PostgreSQL)', () => {
  let db: ScratchDatabase;

  beforeAll(async () => {
    db = await createScratchDatabase('generations');
    await PostgresFingerprintIndex.createSchema(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const index = (v: IndexVersion, queryCompatible = [v.algorithmVersion]) =>
    new GenerationalFingerprintIndex(db.pool, { version: v, queryCompatible, viewCacheMs: 0 });

  it('routes look-ups to the active generation and writes to the code’s, rebuilds only forwards, and flips atomically', async () => {
    const current = index(version(V));
    const track = await current.ensureTrackId('00000000-0000-4000-8000-00000000000a');
    const p = postings(1);
    await current.replaceTrack(track, 30, batches(p));
    expect((await current.lookup('landmark', sortedHashes(p.landmark))).length).toBe(400);
    expect(await current.generations.startBuilding(current.version)).toBeNull(); // already current

    // An older process neither starts a rebuild nor writes; its look-ups are refused (incompatible hashes).
    const older = index(version(V - 1));
    expect(await older.generations.startBuilding(older.version)).toBeNull();
    await expect(older.replaceTrack(track, 30, batches(p))).rejects.toBeInstanceOf(IndexVersionMismatchError);
    await expect(older.lookup('landmark', sortedHashes(p.landmark))).rejects.toBeInstanceOf(IndexRebuildingError);

    // A newer process whose queries still match version V (a query-side bump).
    const next = index(version(V + 1), [V, V + 1]);
    await expect(next.replaceTrack(track, 30, batches(p))).rejects.toThrow(/rebuild has not started yet/);
    const building = await next.generations.startBuilding(next.version);
    expect(building).toMatchObject({ generation: 2, slot: 'b', state: 'building', totalTracks: 1 });
    expect(await next.generations.startBuilding(next.version)).toEqual(building); // idempotent
    // The process of version V keeps writing generation 1; version V+1 writes generation 2 only.
    const q = postings(2);
    const newTrack = await next.ensureTrackId('00000000-0000-4000-8000-00000000000b');
    await next.replaceTrack(newTrack, 30, batches(q));
    expect((await next.writeIndex()).slot).toBe('b');
    expect((await current.writeIndex()).slot).toBe('a');
    expect(await next.readBack('landmark', newTrack)).toMatchObject({ count: 400 });
    // Look-ups read generation 1 only: the old track is found, the new one not yet.
    const found = await next.lookup('landmark', sortedHashes(p.landmark));
    expect(tracksOf(found)).toEqual(new Set([track]));
    expect((await next.lookup('landmark', sortedHashes(q.landmark))).length).toBe(0);
    expect(await next.generations.progress(building!, (await next.view()).active)).toMatchObject({
      done: 1,
      failed: 0,
      remaining: 1,
      total: 2,
    });

    // Not complete: no flip. The old track re-indexed into slot b: the flip comes.
    expect(await next.generations.flipIfComplete(2)).toBe(false);
    await next.slotIndex('b').replaceTrack(track, 30, batches(p));
    expect(await next.generations.flipIfComplete(2)).toBe(true);
    const view = await next.view();
    expect(view.active).toMatchObject({ generation: 2, slot: 'b' });
    expect(view.building).toBeNull();
    expect(tracksOf(await next.lookup('landmark', sortedHashes(q.landmark)))).toEqual(new Set([newTrack]));
    expect((await next.getTracks([track, newTrack])).size).toBe(2);

    // The process of version V is now older than the index: it refuses to write.
    await expect(current.replaceTrack(track, 30, batches(p))).rejects.toBeInstanceOf(IndexVersionMismatchError);
    // The retired slot is emptied after the grace period; track ids stay.
    expect(await next.generations.dropRetired(60_000)).toEqual([]);
    expect(await next.generations.dropRetired(0)).toEqual([1]);
    const rows = await db.pool.query(`SELECT count(*)::int AS n FROM fingerprint_landmark_postings`);
    expect(rows.rows[0].n).toBe(0);
    expect(await next.ensureTrackId('00000000-0000-4000-8000-00000000000a')).toBe(track);
  });

  it('lets a newer version supersede a building one, and refuses look-ups it cannot match until the flip', async () => {
    const v2 = index(version(V + 2)); // stored hashes changed: its queries do not match V + 1
    const building = await v2.generations.startBuilding(v2.version);
    expect(building).toMatchObject({ generation: 3, slot: 'a', state: 'building' });
    const err = await v2.lookup('landmark', Int32Array.of(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndexRebuildingError);
    expect((err as Error).message).toMatch(/look-ups resume when it is complete/);
    // The stage may search the generation being built (allowBuilding).
    expect((await v2.readIndex({ allowBuilding: true })).slot).toBe('a');
    // A layout bump on top of it supersedes the building generation (retired and emptied at once).
    const v2l = index(version(V + 2, L + 1));
    const superseding = await v2l.generations.startBuilding(v2l.version);
    expect(superseding).toMatchObject({ generation: 4, slot: 'a', layoutVersion: L + 1 });
    expect(await v2l.generations.get(3)).toMatchObject({ state: 'retired' });
    // …and the superseded version cannot take it back.
    expect(await v2.generations.startBuilding(v2.version)).toBeNull();
  });
});
