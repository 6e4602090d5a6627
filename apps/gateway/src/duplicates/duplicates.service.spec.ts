import { compareIndexEntries, type GroupIndexEntry } from './duplicate-group.repository';
import { firstAfter } from './duplicates.service';

describe('paging the group index', () => {
  const entry = (members: number, size: number, contentHash: string): GroupIndexEntry => ({
    key: `exact:${contentHash}`,
    kind: 'exact',
    members,
    size,
    redundant: size * (members - 1),
    contentHash,
    contentHashes: [contentHash],
  });
  const entries = [entry(2, 10, 'b'), entry(4, 10, 'z'), entry(2, 99, 'a'), entry(2, 10, 'a'), entry(3, 1, 'c')].sort(
    compareIndexEntries,
  );

  it('sorts largest first: copies, then redundant bytes, then group key', () => {
    expect(entries.map((e) => `${e.members}/${e.redundant}/${e.contentHash}`)).toEqual([
      '4/30/z',
      '3/2/c',
      '2/99/a',
      '2/10/a',
      '2/10/b',
    ]);
  });

  it('puts a same-recording group among the exact ones by its size', () => {
    const mixed = [
      ...entries,
      { ...entry(3, 1, 'x'), key: 'recording:7', kind: 'recording' as const, contentHash: null },
    ].sort(compareIndexEntries);
    expect(mixed.map((e) => e.key)).toEqual(['exact:z', 'exact:c', 'recording:7', 'exact:a', 'exact:a', 'exact:b']);
  });

  it('continues right after the keyset, also when that group has gone meanwhile', () => {
    expect(firstAfter(entries, [4, '30', 'exact:z'])).toBe(1);
    expect(firstAfter(entries, [2, '10', 'exact:a'])).toBe(4);
    expect(firstAfter(entries, [2, '10', 'exact:b'])).toBe(5);
    // A group that vanished: the next page starts where it would have been.
    expect(firstAfter(entries, [2, '50', 'exact:q'])).toBe(3);
    expect(firstAfter(entries, [9, '999', 'exact:a'])).toBe(0);
  });
});
