import { classifySet, groupCopies, sameLength } from './set-detection';

describe('classifySet', () => {
  it('decides by duration at the ends', () => {
    expect(classifySet({ name: '01 - Track (Original Mix).mp3', durationSec: 3600 }).kind).toBe('set');
    expect(classifySet({ name: 'Carl Cox Live @ Space.mp3', durationSec: 400 }).kind).toBe('track');
  });
  it('decides by name markers in between or without a duration', () => {
    expect(classifySet({ name: 'Adam Beyer b2b Cirez D Live @ Awakenings.mp3', durationSec: 1000 })).toMatchObject({
      kind: 'set',
      score: 2,
    });
    expect(classifySet({ name: '03 - Artist - Title (Extended Mix).mp3', durationSec: null })).toMatchObject({
      kind: 'track',
      score: -2,
    });
    expect(classifySet({ name: 'Artist - Title feat. Singer (Someone Remix).mp3', durationSec: 1000 }).kind).toBe(
      'track',
    );
    expect(classifySet({ name: 'A State of Trance Episode 900.mp3', durationSec: null }).kind).toBe('set');
    expect(classifySet({ name: 'Something.mp3', durationSec: 1000 }).kind).toBe('undecided');
    expect(classifySet({ name: 'Something.mp3', durationSec: 1000, trackNumberTag: true }).kind).toBe('track');
  });
});

describe('groupCopies', () => {
  it('joins copies by content or by query and length', () => {
    const groups = groupCopies([
      { fileId: 'a', contentHash: 'h1', name: 'Carl Cox - Live @ Space 2019-08-10.mp3', durationSec: 7200 },
      { fileId: 'b', contentHash: 'h2', name: 'Carl_Cox_-_Live_at_Space-SAT-2019-08-10-GRP.flac', durationSec: 7230 },
      { fileId: 'c', contentHash: 'h3', name: 'Carl Cox - Live @ Space 2019-08-10.mp3', durationSec: 3600 },
      { fileId: 'd', contentHash: 'h3', name: 'other name.mp3', durationSec: 3600 },
    ]);
    expect(groups.map((g) => g.map((f) => f.fileId))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
  it('uses max(45 s, 2 %)', () => {
    expect(sameLength(1000, 1045)).toBe(true);
    expect(sameLength(1000, 1046)).toBe(false);
    expect(sameLength(10000, 10200)).toBe(true);
    expect(sameLength(null, 10)).toBe(false);
  });
});
