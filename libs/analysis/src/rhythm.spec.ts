import {
  type BeatWindowInput,
  type OctaveEvidence,
  alignOctave,
  chooseOctave,
  doubleTimeScore,
  fitGrid,
  summariseRhythm,
} from './rhythm';

/** Beat times of an exact grid, rounded to Essentia's ~11.6 ms ODF frames (what makes its BPM quantised). */
function quantisedBeats(bpm: number, seconds: number, start = 0.5): number[] {
  const frame = 512 / 44100;
  const out: number[] = [];
  for (let t = start; t < seconds; t += 60 / bpm) out.push(Math.round(t / frame) * frame);
  return out;
}

function windowOf(
  beats: number[],
  startSec: number,
  endSec: number,
  accents: Partial<BeatWindowInput> = {},
): BeatWindowInput {
  const n = beats.length;
  return {
    startSec,
    endSec,
    essentiaBpm: 0,
    beats,
    onBeat: beats.map((_, i) => (i % 4 === 0 ? 3 : 2)),
    midBeat: beats.slice(1).map(() => 0.3),
    lowAtBeat: beats.map((_, i) => (i % 4 === 0 ? 2 : 1)),
    lowMidBeat: beats.slice(1).map(() => 0.1),
    bodyAtBeat: beats.map(() => 2),
    bodyMidBeat: beats.slice(1).map(() => 0.3),
    onsetCount: Math.round((n * 2.2 * (endSec - startSec)) / Math.max(1e-9, beats[n - 1] - beats[0])),
    meanFlux: 0.5,
    ...accents,
  };
}

describe('fitGrid', () => {
  it('turns quantised beat times into the exact tempo', () => {
    const fit = fitGrid(quantisedBeats(128, 60))!;
    expect(60 / fit.period).toBeCloseTo(128, 2);
    expect(fit.inlierFraction).toBe(1);
    expect(fit.residualMs).toBeLessThan(5);
  });

  it('keeps the grid across gaps (missed beats, window joins) and drops stray beats', () => {
    const beats = quantisedBeats(140, 60).filter((_, i) => i % 17 !== 5);
    beats.splice(20, 0, beats[19] + 0.11); // a stray detection between two beats
    const fit = fitGrid(beats)!;
    expect(60 / fit.period).toBeCloseTo(140, 1);
    expect(Number.isNaN(fit.indices[20])).toBe(true);
    expect(fitGrid([1, 2, 3])).toBeUndefined();
  });
});

describe('octave choice', () => {
  const ev = (o: Partial<OctaveEvidence>): OctaveEvidence => ({
    offbeatRatio: 0.2,
    lowOffbeatRatio: 0.2,
    alternateContrast: 0.1,
    onsetsPerBeat: 2,
    ...o,
  });

  it('doubles a slow reading when onsets are dense and kicks/snares sit between the beats (174 read as 87)', () => {
    const c = chooseOctave(87, ev({ onsetsPerBeat: 6.5, offbeatRatio: 0.6, lowOffbeatRatio: 0.9 }));
    expect(c.bpm).toBe(174);
    expect(c.alternative).toMatchObject({ bpm: 87, relation: 'half' });
  });

  it('keeps a true slow tempo with only hats between the beats, and flags the double as the alternative', () => {
    const c = chooseOctave(90, ev({ onsetsPerBeat: 2.3, offbeatRatio: 0.3 }));
    expect(c.bpm).toBe(90);
    expect(c.alternative).toMatchObject({ bpm: 180, relation: 'double' });
    expect(c.alternative!.plausibility).toBeLessThan(0.3);
  });

  it('needs less evidence below the DJ range than inside it', () => {
    const middling = ev({ onsetsPerBeat: 4, offbeatRatio: 0.5 });
    expect(doubleTimeScore(middling)).toBeCloseTo(0.45, 2);
    expect(chooseOctave(70, middling).bpm).toBe(140);
    expect(chooseOctave(85, middling).bpm).toBe(170);
    expect(chooseOctave(95, middling).bpm).toBe(95);
  });

  it('halves a reading above the DJ range and leaves mid-range tempos alone', () => {
    expect(chooseOctave(190, ev({})).bpm).toBe(95);
    const house = chooseOctave(128, ev({ onsetsPerBeat: 4, offbeatRatio: 0.3 }));
    expect(house.bpm).toBe(128);
    expect(house.alternative).toBeUndefined();
    expect(chooseOctave(172, ev({})).alternative).toMatchObject({ bpm: 86, relation: 'half' });
  });

  it('aligns window tempos to an octave', () => {
    expect(alignOctave(64, 128)).toBe(128);
    expect(alignOctave(256, 128)).toBe(128);
    expect(alignOctave(87, 174)).toBe(174);
    expect(alignOctave(100, 128)).toBe(100);
  });
});

describe('summariseRhythm', () => {
  it('fits one grid across windows, finds the start of the music and the accented beat of the bar', () => {
    const all = quantisedBeats(128, 90, 1.0);
    // The tracker misses the first two beats (it starts late), so the onsets are what finds them.
    const tracked = all.slice(2);
    const w1 = tracked.filter((t) => t < 30);
    const w2 = tracked.filter((t) => t >= 30.5 && t < 60);
    const w3 = tracked.filter((t) => t >= 60.5);
    const accentFor = (beats: number[]) => ({
      // Downbeats (every 4th beat of the full grid, starting with the first) carry the bass accent.
      lowAtBeat: beats.map((t) => (Math.round((t - 1.0) / (60 / 128)) % 4 === 0 ? 3 : 1)),
    });
    const r = summariseRhythm({
      windows: [
        windowOf(w1, 0, 30, accentFor(w1)),
        windowOf(w2, 30, 60, accentFor(w2)),
        windowOf(w3, 60, 90, accentFor(w3)),
      ],
      onsets: { times: all, strengths: all.map(() => 2) },
    });
    if (!r.bpm.measurable || !r.beats.measurable) throw new Error('expected a tempo');
    expect(r.bpm.bpm).toBeCloseTo(128, 1);
    expect(r.bpm.confidence).toBeGreaterThan(0.7);
    expect(r.beats.firstBeatSec).toBeCloseTo(1.0, 1);
    expect(r.beats.firstDownbeatSec).toBeCloseTo(1.0, 1);
    expect(r.beats.grid.stability).toBe('steady');
    expect(r.windowBpm).toHaveLength(3);
    for (const b of r.windowBpm) expect(b).toBeCloseTo(128, 1);
  });

  it('says "not measurable" when the beats carry no more onset energy than the rest (pads, rubato)', () => {
    const beats = quantisedBeats(120, 30);
    const r = summariseRhythm({
      windows: [windowOf(beats, 0, 30, { meanFlux: 2.5 })],
      onsets: { times: [], strengths: [] },
    });
    expect(r.bpm).toMatchObject({ measurable: false });
    expect(r.windowBpm).toEqual([null]);
  });
});
