import {
  chooseCanonical,
  compareCandidates,
  groupExactDuplicates,
  tagCompleteness,
  type DuplicateCandidate,
} from './index';

const member = (id: string, over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({
  id,
  path: `/music/${id}.mp3`,
  lossless: false,
  bitrate: 320_000,
  tagCompleteness: 0.5,
  ...over,
});

describe('chooseCanonical', () => {
  it('prefers lossless over lossy, whatever the bitrate', () => {
    const choice = chooseCanonical([
      member('mp3', { bitrate: 320_000, codec: 'MPEG 1 Layer 3', tagCompleteness: 1 }),
      member('flac', {
        lossless: true,
        bitrate: 900_000,
        codec: 'FLAC',
        path: '/a/very/long/path/somewhere/deep/flac.flac',
        tagCompleteness: 0.1,
      }),
    ]);
    expect(choice.canonicalId).toBe('flac');
    expect(choice.comparisons).toEqual([
      { winnerId: 'flac', otherId: 'mp3', decidedBy: 'lossless', reason: 'FLAC lossless beats MPEG 1 Layer 3 lossy' },
    ]);
  });

  it('then the higher bitrate', () => {
    const choice = chooseCanonical([
      member('low', { bitrate: 192_000 }),
      member('high', { bitrate: 320_000, path: '/much/longer/path/to/high.mp3' }),
    ]);
    expect(choice.canonicalId).toBe('high');
    expect(choice.comparisons[0]).toMatchObject({
      decidedBy: 'bitrate',
      reason: 'both lossy; higher bitrate: 320 kbps beats 192 kbps',
    });
  });

  it('then the more complete tags, treating nearly equal VBR bitrates as equal', () => {
    const choice = chooseCanonical([
      member('bare', { bitrate: 245_500, tagCompleteness: 0.2 }),
      member('tagged', { bitrate: 244_900, tagCompleteness: 0.85, path: '/x/y/z/tagged.mp3' }),
    ]);
    expect(choice.canonicalId).toBe('tagged');
    expect(choice.comparisons[0].reason).toBe('both lossy; same bitrate (245 kbps); more complete tags: 85% beats 20%');
  });

  it('then the shorter path, then path order; exact duplicates always end here', () => {
    const exact = { lossless: true, bitrate: 1_411_200, tagCompleteness: 0.75, codec: 'PCM' };
    const choice = chooseCanonical([
      member('deep', { ...exact, path: '/music/unsorted/downloads/set.wav' }),
      member('top', { ...exact, path: '/music/a-set.wav' }),
      member('twin', { ...exact, path: '/music/b-set.wav' }),
    ]);
    expect(choice.ranking).toEqual(['top', 'twin', 'deep']);
    expect(choice.comparisons).toEqual([
      {
        winnerId: 'top',
        otherId: 'twin',
        decidedBy: 'name',
        reason:
          'both lossless; same bitrate (1411 kbps); equally complete tags (75%); same path length (16 characters); first by path name order',
      },
      {
        winnerId: 'top',
        otherId: 'deep',
        decidedBy: 'path',
        reason:
          'both lossless; same bitrate (1411 kbps); equally complete tags (75%); shorter path: 16 characters beats 33',
      },
    ]);
  });

  it('ranks unknown facts last and counts unknown lossless as lossy', () => {
    expect(compareCandidates(member('a', { bitrate: null }), member('b', { bitrate: 128_000 }))).toMatchObject({
      order: 1,
      decidedBy: 'bitrate',
      reason: 'both lossy; known bitrate (128 kbps) beats unknown',
    });
    const unknownFormat = compareCandidates(member('a', { lossless: null }), member('b', { lossless: false }));
    expect(unknownFormat.decidedBy).not.toBe('lossless');
    expect(unknownFormat.reason).toMatch(/^both lossy/);
    const both = compareCandidates(member('a', { bitrate: null }), member('b', { bitrate: null }));
    expect(both.reason).toContain('bitrate unknown for both');
  });

  it('is independent of input order and deterministic', () => {
    const members = [
      member('a', { tagCompleteness: 0.3 }),
      member('b', { lossless: true }),
      member('c', { bitrate: 128_000 }),
      member('d'),
    ];
    const forward = chooseCanonical(members);
    const backward = chooseCanonical([...members].reverse());
    expect(backward).toEqual(forward);
    expect(forward.ranking).toEqual(['b', 'd', 'a', 'c']);
  });

  it('refuses an empty group and accepts a single member', () => {
    expect(() => chooseCanonical([])).toThrow(RangeError);
    expect(chooseCanonical([member('solo')])).toEqual({ canonicalId: 'solo', ranking: ['solo'], comparisons: [] });
  });
});

describe('tagCompleteness', () => {
  it('scores 0 for nothing and 1 for everything', () => {
    expect(tagCompleteness({})).toMatchObject({ score: 0, present: [] });
    expect(
      tagCompleteness({
        artist: 'A',
        title: 'T',
        album: 'Al',
        albumArtist: 'AA',
        trackNo: 1,
        year: 2001,
        genres: ['Techno'],
        label: 'L',
        isrc: 'USRC17607839',
        bpm: 128,
        initialKey: 'Am',
        hasCoverArt: true,
      }),
    ).toMatchObject({ score: 1, missing: [] });
  });

  it('weights artist and title most and ignores blank values', () => {
    const r = tagCompleteness({ artist: 'A', title: 'T', album: '  ', genres: [''], bpm: 0, hasCoverArt: false });
    expect(r.score).toBe(0.4);
    expect(r.present).toEqual(['artist', 'title']);
    expect(r.missing).toContain('album');
  });
});

describe('groupExactDuplicates', () => {
  it('groups by SHA-256, drops singletons, and lists the largest groups first', () => {
    const h = (c: string) => c.repeat(64);
    const groups = groupExactDuplicates([
      { id: '1', sha256: h('a'), size: 10 },
      { id: '2', sha256: h('b'), size: 1000 },
      { id: '3', sha256: h('a'), size: 10 },
      { id: '4', sha256: h('B'), size: 1000 },
      { id: '5', sha256: h('c'), size: 5 },
      { id: '6', sha256: h('a'), size: 10 },
      { id: '7', sha256: h('d'), size: 50 },
      { id: '8', sha256: h('d'), size: 50 },
    ]);
    expect(groups).toEqual([
      { sha256: h('a'), memberIds: ['1', '3', '6'], size: 10, redundantBytes: 20 },
      { sha256: h('b'), memberIds: ['2', '4'], size: 1000, redundantBytes: 1000 },
      { sha256: h('d'), memberIds: ['7', '8'], size: 50, redundantBytes: 50 },
    ]);
  });
});
