import { exactGroupKey, parseGroupKey } from './group-key';

describe('duplicate group keys', () => {
  const hash = 'ab'.repeat(32);

  it('round-trips exact keys', () => {
    expect(exactGroupKey(hash)).toBe(`exact:${hash}`);
    expect(parseGroupKey(exactGroupKey(hash))).toEqual({ kind: 'exact', contentHash: hash });
  });

  it('knows recording keys for fingerprint groups', () => {
    expect(parseGroupKey('recording:42')).toEqual({ kind: 'recording', recordingId: '42' });
  });

  it.each([
    '',
    hash,
    `exact:${hash.toUpperCase()}`,
    `exact:${hash}0`,
    `exact:${hash.slice(1)}`,
    `exact: ${hash}`,
    'recording:',
    'recording:a/b',
    `other:${hash}`,
  ])('refuses %j', (key) => expect(parseGroupKey(key)).toBeNull());
});
