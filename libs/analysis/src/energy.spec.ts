import { energyCurve, energyRating, outlineFromCurve } from './energy';

describe('energy rating', () => {
  const quiet = { integratedLufs: -28, meanRmsDbfs: -30, centroidHz: 500, onsetRate: 0.5, beatStrength: null };
  const club = { integratedLufs: -7, meanRmsDbfs: -9, centroidHz: 3500, onsetRate: 8, beatStrength: 4.5 };

  it('rates an ambient piece low and a loud, dense, driving club track high', () => {
    expect(energyRating(quiet).rating).toBeLessThanOrEqual(2);
    expect(energyRating(club).rating).toBeGreaterThanOrEqual(9);
  });

  it('rises with each component and explains itself', () => {
    const base = { integratedLufs: -16, meanRmsDbfs: -18, centroidHz: 1500, onsetRate: 3, beatStrength: 2 };
    const s = energyRating(base).score;
    expect(energyRating({ ...base, integratedLufs: -9 }).score).toBeGreaterThan(s);
    expect(energyRating({ ...base, centroidHz: 4000 }).score).toBeGreaterThan(s);
    expect(energyRating({ ...base, onsetRate: 7 }).score).toBeGreaterThan(s);
    expect(energyRating({ ...base, beatStrength: 4 }).score).toBeGreaterThan(s);
    expect(energyRating(base).components.loudness).toEqual({ value: 0.58, raw: -16, unit: 'LUFS' });
  });

  it('falls back to the RMS level when there is no EBU loudness', () => {
    expect(energyRating({ ...quiet, integratedLufs: null, meanRmsDbfs: -10 }).components.loudness.raw).toBe(-13);
  });
});

describe('outline', () => {
  /** A curve: 30 s intro at 0.4, 60 s body at 0.9, 20 s breakdown at 0.3, 60 s drop at 0.9, 30 s outro at 0.3. */
  const curve = Float32Array.from([
    ...Array(30).fill(0.4),
    ...Array(60).fill(0.9),
    ...Array(20).fill(0.3),
    ...Array(60).fill(0.9),
    ...Array(30).fill(0.3),
  ]);

  it('finds intro end, breakdown, drop and outro start', () => {
    const o = outlineFromCurve(curve);
    expect(o.cues.map((c) => [c.kind, c.timeSec])).toEqual([
      ['intro-end', 30],
      ['breakdown', 90],
      ['drop', 110],
      ['outro-start', 170],
    ]);
    expect(o.sections.map((s) => s.kind)).toEqual(['intro', 'body', 'breakdown', 'body', 'outro']);
    expect(o.curve.values).toHaveLength(200);
  });

  it('snaps cues to the bar grid', () => {
    const o = outlineFromCurve(curve, { bar: { firstDownbeatSec: 0.5, barSec: 7.5 } });
    // Bars start at 0.5, 8, 15.5, …: 30 → 30.5, 90 → 90.5, 110 → 113, 170 → 173.
    expect(o.cues.map((c) => c.timeSec)).toEqual([30.5, 90.5, 113, 173]);
  });

  it('reports no intro or outro for a track at full energy throughout, and caps the curve length', () => {
    const flat = new Float32Array(3000).fill(0.8);
    const o = outlineFromCurve(flat);
    expect(o.cues).toEqual([]);
    expect(o.sections).toEqual([{ kind: 'body', startSec: 0, endSec: 3000, energy: 0.8 }]);
    expect(o.curve.values.length).toBeLessThanOrEqual(720);
    expect(o.curve.hopSec).toBe(5);
  });

  it('builds a relative curve that is 0 in silence and smooth elsewhere', () => {
    const ms = [...Array(10).fill(0), ...Array(20).fill(0.01), ...Array(20).fill(0.1)];
    const flux = ms.map((m) => (m > 0 ? 1 : 0));
    const c = energyCurve(ms, flux, 4);
    expect(c[0]).toBe(0);
    expect(c[45]).toBeGreaterThan(c[20]);
    expect(Math.max(...c)).toBeLessThanOrEqual(1);
  });
});
