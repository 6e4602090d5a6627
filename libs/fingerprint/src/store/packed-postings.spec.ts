import fc from 'fast-check';
import { STRATEGIES, Strategy } from '../params';
import { decodePackedRow, encodePackedRow, packedKeyOf, PostingColumnsBuffer, sortPostings } from './packed-postings';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

function roundTrip(strategy: Strategy, key: number, rows: [number, number, number, number][]) {
  const p = new PostingColumnsBuffer();
  for (const [h, tr, t, a] of rows) p.push(h, tr, t, a);
  sortPostings(p);
  const bytes = encodePackedRow(strategy, p, 0, p.length);
  const back: [number, number, number, number][] = [];
  expect(decodePackedRow(strategy, key, bytes, (h, tr, t, a) => back.push([h, tr, t, a]))).toBe(rows.length);
  return {
    bytes,
    back,
    sorted: Array.from({ length: p.length }, (_, i) => [p.hash[i], p.trackId[i], p.time[i], p.aux[i]]),
  };
}

describe('packed postings rows', () => {
  it.each(STRATEGIES)('%s: any postings of one key decode to exactly what was encoded, in sorted order', (strategy) => {
    fc.assert(
      fc.property(
        int32,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), int32, int32, int32), { minLength: 1, maxLength: 60 }),
        (hash, rows) => {
          const key = packedKeyOf(strategy, hash);
          const withHash = rows.map(
            ([low, tr, t, a]) =>
              [strategy === 'landmark' ? hash : (key << 4) | low, tr, t, a] as [number, number, number, number],
          );
          const { back, sorted } = roundTrip(strategy, key, withHash);
          expect(back).toEqual(sorted);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('costs a few bytes per posting for typical music postings', () => {
    // 40 tracks sharing one landmark hash, 8-bit levels near −30 dB, frames within a 4-minute track.
    const rows: [number, number, number, number][] = [];
    for (let i = 0; i < 40; i++) rows.push([123456, 1000 + i * 37, (i * 997) % 7500, 190 + (i % 20)]);
    expect(roundTrip('landmark', 123456, rows).bytes.length / rows.length).toBeLessThan(6);
  });

  it('refuses truncated or padded rows instead of returning partial postings', () => {
    const { bytes } = roundTrip('triplet', 5, [
      [80, 1, 10, -1],
      [81, 2, 20, 7],
    ]);
    expect(() => decodePackedRow('triplet', 5, bytes.subarray(0, bytes.length - 1), () => undefined)).toThrow(
      /truncated/,
    );
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    expect(() => decodePackedRow('triplet', 5, padded, () => undefined)).toThrow(/trailing/);
    expect(() => decodePackedRow('triplet', 5, new Uint8Array(0), () => undefined)).toThrow(/empty/);
  });
});
