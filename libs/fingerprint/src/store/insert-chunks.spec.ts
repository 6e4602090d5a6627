import { insertChunks } from './postgres-index';

describe('insertChunks (how a merge splits the packed rows it writes into statements)', () => {
  const rows = (...sizes: number[]) => sizes.map((n) => new Uint8Array(n));

  it('keeps every run within the row and byte limits, in order, covering every row once', () => {
    expect(insertChunks(rows(4, 4, 4, 4, 4), 3, 100)).toEqual([
      [0, 3],
      [3, 5],
    ]);
    expect(insertChunks(rows(40, 40, 30, 50, 30), 10, 100)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
  });

  it('sends a row larger than the byte limit alone, and nothing for no rows', () => {
    expect(insertChunks(rows(10, 500, 10), 10, 100)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(insertChunks([], 10, 100)).toEqual([]);
  });
});
