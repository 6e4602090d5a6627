import { tracksFromCue, tracksFromTimeline } from './mix-sources';

const h = (c: string) => c.repeat(64);

describe('tracksFromTimeline', () => {
  it('names identified tracks from tags and keeps long unknown stretches as ID', () => {
    const tracks = tracksFromTimeline(
      [
        {
          trackId: 1,
          contentHash: h('a'),
          startSec: 0,
          endSec: 300,
          refStartSec: 5,
          speed: 1,
          mode: 'exact',
          confidence: 0.9,
          score: 80,
        },
        {
          trackId: 2,
          contentHash: h('b'),
          startSec: 400,
          endSec: 700,
          refStartSec: 0,
          speed: 1.04,
          mode: 'vinyl',
          confidence: 0.7,
          score: 50,
        },
      ],
      [
        { startSec: 300, endSec: 400 },
        { startSec: 700, endSec: 710 },
      ],
      new Map([
        [h('a'), { artist: 'Kevin MacLeod', title: 'Vibe Ace', name: 'vibe.ogg' }],
        [h('b'), { artist: null, title: null, name: 'Sugar Plum Fairy.flac' }],
      ]),
    );
    expect(tracks.map((t) => [t.position, t.artist, t.title, t.cueSec, t.unknown])).toEqual([
      [1, 'Kevin MacLeod', 'Vibe Ace', 0, false],
      [2, null, null, 300, true],
      [3, null, 'Sugar Plum Fairy', 400, false],
    ]);
    expect(tracks[2]).toMatchObject({ speed: 1.04, confidence: 0.7, recordingHash: h('b') });
  });
});

describe('tracksFromCue', () => {
  it('takes the tracks of the media file from a multi-file sheet', () => {
    const cue = tracksFromCue(
      {
        performer: 'DJ Test',
        title: 'Friday',
        date: '2024',
        tracks: [
          { performer: 'A', title: 'One', startSec: 0, file: 'mix.mp3', type: 'AUDIO' },
          { performer: 'B', title: 'Two', startSec: 61.5, file: 'mix.mp3', type: 'AUDIO' },
          { performer: 'C', title: 'Other', startSec: 0, file: 'other.wav', type: 'AUDIO' },
        ],
      },
      'Mix.MP3',
    );
    expect(cue).toMatchObject({ artist: 'DJ Test', title: 'Friday', date: '2024' });
    expect(cue!.tracks.map((t) => [t.artist, t.title, t.cueSec])).toEqual([
      ['A', 'One', 0],
      ['B', 'Two', 61.5],
    ]);
  });
  it('gives nothing for an empty or malformed sheet', () => {
    expect(tracksFromCue(null, 'x')).toBeNull();
    expect(tracksFromCue({ tracks: 'no' }, 'x')).toBeNull();
    expect(tracksFromCue({ tracks: [] }, 'x')).toBeNull();
  });
});
