import { PostingBuffer } from '../postings';
import { MemoryFingerprintIndex } from './memory-index';

function batch(rows: [number, number, number?][]): PostingBuffer {
  const b = new PostingBuffer();
  for (const [h, t, a] of rows) b.push(h, t, a ?? 0, -1);
  return b;
}

describe('MemoryFingerprintIndex', () => {
  it('stores, counts, reads back, looks up and removes postings', async () => {
    const index = new MemoryFingerprintIndex();
    expect(
      await index.addPostings(
        'landmark',
        7,
        batch([
          [100, 5],
          [200, 9],
          [100, 40],
        ]).batch(),
      ),
    ).toBe(3);
    await index.addPostings('landmark', 8, batch([[100, 1]]).batch());
    await index.addPostings('triplet', 7, batch([[100, 3, 77]]).batch());
    expect(await index.countPostings('landmark', 7)).toBe(3);
    expect(await index.readBack('landmark', 7)).toEqual({ count: 3, firstFrame: 5, lastFrame: 40 });
    const found = await index.lookup('landmark', Int32Array.from([100, 150, 200]));
    const rows = Array.from({ length: found.length }, (_, i) => [
      found.hashIndex[i],
      found.trackId[i],
      found.time[i],
    ]).sort();
    expect(rows).toEqual(
      [
        [0, 7, 40],
        [0, 7, 5],
        [0, 8, 1],
        [2, 7, 9],
      ].sort(),
    );
    const trip = await index.lookup('triplet', Int32Array.from([100]));
    expect(trip.aux[0]).toBe(77);

    expect(await index.removeTrack(7)).toBe(4);
    expect(await index.countPostings('landmark', 7)).toBe(0);
    expect(await index.readBack('triplet', 7)).toEqual({ count: 0, firstFrame: null, lastFrame: null });
    const after = await index.lookup('landmark', Int32Array.from([100, 200]));
    expect(Array.from(after.trackId.subarray(0, after.length))).toEqual([8]);
  });

  it('accepts every 32-bit track id and frame, with no packing limits', async () => {
    const index = new MemoryFingerprintIndex();
    const lastFrame = 2 ** 31 - 1;
    for (const id of [-(2 ** 31), 0, 2 ** 31 - 1])
      await index.addPostings('landmark', id, batch([[-5, lastFrame]]).batch());
    const found = await index.lookup('landmark', Int32Array.from([-5]));
    expect(Array.from(found.trackId.subarray(0, found.length)).sort((a, b) => a - b)).toEqual([
      -(2 ** 31),
      0,
      2 ** 31 - 1,
    ]);
    expect(Array.from(found.time.subarray(0, found.length))).toEqual([lastFrame, lastFrame, lastFrame]);
    await expect(index.addPostings('landmark', 2 ** 31, batch([[1, 1]]).batch())).rejects.toThrow(RangeError);
    await expect(index.addPostings('landmark', 1.5, batch([[1, 1]]).batch())).rejects.toThrow(RangeError);
  });

  it('skips over-full hashes when asked and insists on sorted, unique look-ups', async () => {
    const index = new MemoryFingerprintIndex();
    await index.addPostings(
      'landmark',
      1,
      batch(Array.from({ length: 10 }, (_, i) => [42, i] as [number, number])).batch(),
    );
    await index.addPostings('landmark', 1, batch([[43, 0]]).batch());
    const found = await index.lookup('landmark', Int32Array.from([42, 43]), { maxPostingsPerHash: 5 });
    expect(found.length).toBe(1);
    expect(found.hashIndex[0]).toBe(1);
    await expect(index.lookup('landmark', Int32Array.from([43, 42]))).rejects.toThrow(/sorted/);
  });

  it('grows past its initial capacity without losing postings', async () => {
    const index = new MemoryFingerprintIndex();
    const b = new PostingBuffer();
    for (let i = 0; i < 300_000; i++) b.push(i % 100_003, i, 0, -1);
    await index.replaceTrack(3, 1000, { landmark: b.batch(), triplet: new PostingBuffer().batch() });
    expect(await index.countPostings('landmark', 3)).toBe(300_000);
    const found = await index.lookup('landmark', Int32Array.from([0, 100_002]));
    expect(found.length).toBe(3 + 2);
  });

  it('hands out stable compact ids for external file ids', async () => {
    const index = new MemoryFingerprintIndex();
    const a = await index.ensureTrackId('a');
    const b = await index.ensureTrackId('b');
    expect(a).not.toBe(b);
    expect(await index.ensureTrackId('a')).toBe(a);
  });
});
