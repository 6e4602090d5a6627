import { resolveNestedMixes } from './nested';
import { TimelineEntry } from './timeline';

function entry(
  trackId: number,
  startSec: number,
  endSec: number,
  refStartSec: number,
  extra: Partial<TimelineEntry> = {},
) {
  return {
    trackId,
    startSec,
    endSec,
    refStartSec,
    speed: 1,
    mode: 'exact',
    keySemitones: 0,
    confidence: 0.9,
    score: 100,
    ...extra,
  } as TimelineEntry;
}

describe('resolveNestedMixes', () => {
  // Recorded set 50 (90 s): outside music to 30 s, then track 7 key-shifted +1 from its 12 s to the end.
  const setTimeline = [entry(7, 30, 90, 12, { mode: 'key', keySemitones: 1, confidence: 0.8 })];
  const timelineOf = (id: number) => (id === 50 ? setTimeline : undefined);

  it('reports the track inside a matched mix at the corresponding offset, not the mix file', () => {
    // The query plays the set from its 40 s, at 100.0–140.0 s of the query.
    const out = resolveNestedMixes([entry(3, 0, 100, 0), entry(50, 100, 140, 40)], timelineOf);
    expect(out.map((e) => e.trackId)).toEqual([3, 7]);
    expect(out[1]).toMatchObject({
      startSec: 100,
      endSec: 140,
      refStartSec: 22, // 12 s into track 7 at the set's 30 s → at the set's 40 s, 22 s
      mode: 'key',
      keySemitones: 1,
      confidence: 0.8,
      via: { trackId: 50, refStartSec: 40 },
    });
  });

  it('keeps the mix itself where its timeline names nothing, and composes speeds', () => {
    // The set from its 10 s played 5 % fast: set time m = 10 + 1.05·(t − 200).
    const out = resolveNestedMixes([entry(50, 200, 270, 10, { speed: 1.05, mode: 'vinyl' })], timelineOf);
    expect(out.map((e) => e.trackId)).toEqual([50, 7]);
    const cut = 200 + (30 - 10) / 1.05;
    expect(out[0].endSec).toBeCloseTo(cut, 2);
    expect(out[1].startSec).toBeCloseTo(cut, 2);
    expect(out[1].speed).toBeCloseTo(1.05, 4);
    expect(out[1].mode).toBe('vinyl');
    expect(out[1].refStartSec).toBeCloseTo(12, 2);
  });

  it('keeps a track found both directly and through the mix once, with both spans', () => {
    const direct = entry(7, 105, 140, 27, { mode: 'key', keySemitones: 1, confidence: 0.7 });
    const out = resolveNestedMixes([entry(50, 100, 140, 40), direct], timelineOf);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ trackId: 7, startSec: 100, endSec: 140, refStartSec: 22 });
  });

  it("takes the query's own evidence of the inner track (an entry its timeline set aside) for where it begins", () => {
    // The query plays the set from its 27 s (3 s before the set's boundary at 30 s, the middle of the set's
    // crossfade into track 7): at query time t the set is at 27 + t and track 7 at 9 + t. The query's timeline
    // kept the set (stronger, exact) and set its direct, key-shifted match of track 7 aside (shadowed).
    const matched = [entry(50, 0.4, 40, 27.4), entry(8, 40, 80, 0)];
    const direct = entry(7, 0.2, 41.5, 9.2, { mode: 'key', keySemitones: 1, confidence: 0.7 });
    // Without it, the track starts where the set's own crossfade was halfway (3 s late).
    expect(resolveNestedMixes(matched, timelineOf)[0]).toMatchObject({ trackId: 7, startSec: 3 });
    const out = resolveNestedMixes(matched, timelineOf, { shadowed: [direct] });
    expect(out.map((e) => e.trackId)).toEqual([7, 8]);
    // Its evidence begins at 0.2, but the set's entry (whose ends were agreed with the neighbours) bounds it.
    expect(out[0]).toMatchObject({
      startSec: 0.4,
      endSec: 40,
      refStartSec: 9.4,
      via: { trackId: 50, refStartSec: 27.4 },
    });
  });

  it('ignores set-aside entries that do not agree with the inner timeline on track and alignment', () => {
    const matched = [entry(50, 0.4, 40, 27.4)];
    const phantoms = [
      entry(9, 0.2, 30, 50), // another track
      entry(7, 0.2, 30, 40), // track 7, but 31 s away from where the set has it
      entry(7, 0.2, 4, 9.2), // track 7 at the right alignment, but mostly outside the inner entry: another passage
    ];
    const out = resolveNestedMixes(matched, timelineOf, { shadowed: phantoms });
    expect(out.map((e) => [e.trackId, e.startSec, e.endSec])).toEqual([[7, 3, 40]]);
  });

  it('leaves entries without a known timeline alone and does not loop on a mix that names itself', () => {
    const loop = (id: number) => (id === 60 ? [entry(60, 0, 100, 0)] : undefined);
    const out = resolveNestedMixes([entry(60, 10, 50, 5), entry(4, 50, 90, 0)], loop);
    expect(out.map((e) => [e.trackId, e.startSec, e.endSec])).toEqual([
      [60, 10, 50],
      [4, 50, 90],
    ]);
  });
});
