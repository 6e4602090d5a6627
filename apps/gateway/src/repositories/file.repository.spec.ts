import { walkOrderIndex } from './file.repository';

describe('walkOrderIndex', () => {
  const path = { sort: 'path' as const, descending: false };

  it('walks the index of every tag or measurement order', () => {
    expect(walkOrderIndex({ text: 'x', camelot: ['8A'] }, { sort: 'bpm', descending: true })).toBe(true);
  });

  it('leaves a path-ordered text search to the trigram index', () => {
    expect(walkOrderIndex({ text: 'live' }, path)).toBe(false);
  });

  it('walks the path index unless few files can pass the filter', () => {
    expect(walkOrderIndex({}, path)).toBe(true);
    expect(walkOrderIndex({ camelot: ['7A', '8A', '9A', '8B'] }, path)).toBe(true);
    expect(walkOrderIndex({ bpm: { min: 124, max: 126 } }, path)).toBe(true);
    expect(walkOrderIndex({ bpm: { min: 120, max: 130 }, camelot: ['5A'] }, path)).toBe(false);
  });
});
