import { ClusterHit } from './matcher';
import { FRAME_SEC } from './params';
import { buildTimeline, WindowHit } from './timeline';

const F = 1 / FRAME_SEC; // frames per second
const WINDOW = 15 * F;
const HOP = 5 * F;

/**
 * Window hits for a track heard from `fromSec` to `toSec` in the mix, starting at track position `refSec`,
 * with evidence at `perSec` frames per second (linear fades of `fadeIn`/`fadeOut` seconds); each match's
 * gain is `levelDb` plus its fade gain.
 */
function trackHits(
  trackId: number,
  fromSec: number,
  toSec: number,
  refSec: number,
  opts: {
    fadeIn?: number;
    fadeOut?: number;
    perSec?: number;
    speed?: number;
    levelDb?: number;
    score?: number;
    confidence?: number;
    /** Scatter of each match's gain, dB (uniform ±), as through a phone in a room. */
    gainNoiseDb?: number;
  } = {},
) {
  const fadeIn = opts.fadeIn ?? 0;
  const fadeOut = opts.fadeOut ?? 0;
  const perSec = opts.perSec ?? 20;
  const speed = opts.speed ?? 1;
  const hits: WindowHit[] = [];
  for (let w = 0; w * HOP < (toSec + 15) * F; w++) {
    const ws = w * HOP;
    const we = ws + WINDOW;
    const frames: number[] = [];
    const gains: number[] = [];
    for (let t = Math.max(fromSec * F, ws); t < Math.min(toSec * F, we); t += F / perSec) {
      const sec = t / F;
      const gain = Math.min(1, fadeIn ? (sec - fromSec) / fadeIn : 1, fadeOut ? (toSec - sec) / fadeOut : 1);
      // Sparser evidence while faded, as real peaks would be.
      if (((t * 7919) % 1000) / 1000 > gain) continue;
      frames.push(Math.round(t));
      const noise = opts.gainNoiseDb ? opts.gainNoiseDb * (2 * (((t * 104729) % 997) / 997) - 1) : 0;
      gains.push((opts.levelDb ?? 0) + 20 * Math.log10(Math.max(gain, 1e-3)) + noise);
    }
    if (frames.length < 8) continue;
    const hit: ClusterHit = {
      trackId,
      strategy: 'triplet',
      mode: speed === 1 ? 'exact' : 'vinyl',
      speed,
      keySemitones: 0,
      pivot: (ws + we) / 2,
      refAtPivot: refSec * F + speed * ((ws + we) / 2 - fromSec * F),
      score: opts.score ?? frames.length,
      threshold: 8,
      confidence: opts.confidence ?? 0.99,
      inlierFrames: Int32Array.from(frames),
      inlierPeaks: Int32Array.from(frames, (f) => f + trackId * 1e6),
      inlierGains: Float32Array.from(gains),
    };
    hits.push({ windowStart: ws, windowEnd: we, hit });
  }
  return { hits };
}

describe('buildTimeline', () => {
  it('splits a crossfade at its middle and keeps the unknown stretch unknown', () => {
    // Track 1 from 0 to 64 s (fading out 56–64), track 2 from 56 to 120 (fading in), nothing after.
    const a = trackHits(1, 0, 64, 30, { fadeOut: 8 });
    const b = trackHits(2, 56, 120, 10, { fadeIn: 8, speed: 1.05 });
    const timeline = buildTimeline([...a.hits, ...b.hits], 150);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
    const [e1, e2] = timeline.entries;
    expect(e1.startSec).toBeLessThan(2);
    expect(Math.abs(e1.endSec - 60)).toBeLessThan(2);
    expect(Math.abs(e2.startSec - 60)).toBeLessThan(2);
    expect(e2.speed).toBeCloseTo(1.05, 3);
    expect(e2.refStartSec).toBeCloseTo(10 + 1.05 * (e2.startSec - 56), 0);
    expect(timeline.unknown.some((g) => g.startSec >= 115 && g.endSec === 150)).toBe(true);
  });

  it('does not report a weak third track inside a crossfade', () => {
    const a = trackHits(1, 0, 64, 0, { fadeOut: 8 });
    const b = trackHits(2, 56, 120, 0, { fadeIn: 8 });
    const phantom = trackHits(3, 57, 66, 40, { perSec: 3 });
    const timeline = buildTimeline([...a.hits, ...b.hits, ...phantom.hits], 120);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
  });

  it('reports a third deck layered at equal level inside a track, and still drops a phantom there', () => {
    const main = trackHits(1, 0, 120, 10, { perSec: 6 });
    // Layered at 40.3–65.3 s with 2-s fades, as dense as the main track and on other frames.
    const layer = trackHits(2, 40.3, 65.3, 100, { perSec: 5.5, fadeIn: 2, fadeOut: 2 });
    const phantom = trackHits(3, 80, 95, 40, { perSec: 1 });
    const timeline = buildTimeline([...main.hits, ...layer.hits, ...phantom.hits], 120);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
    const [m, l] = timeline.entries;
    expect(m.startSec).toBeCloseTo(0, 0);
    expect(m.endSec).toBeCloseTo(120, -0.5);
    expect(Math.abs(l.startSec - 41.3)).toBeLessThan(1.5);
    expect(Math.abs(l.endSec - 64.3)).toBeLessThan(1.5);
  });

  it('reports a weakly matched third deck layered inside a track, but not weak evidence on the main track frames', () => {
    // Through a phone a deck layered at equal level keeps few of its peaks: each window's hit is just above
    // its chance threshold (confidence 0.49), on its own frames, about as dense as the main track.
    const main = trackHits(1, 0, 120, 10, { perSec: 2 });
    const layer = trackHits(2, 50.3, 70.3, 100, { perSec: 1.5, confidence: 0.49 });
    const timeline = buildTimeline([...main.hits, ...layer.hits], 120);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
    expect(Math.abs(timeline.entries[1].startSec - 50.3)).toBeLessThan(1.5);
    // The same weak track on the main track's own frames (every other one): a chance alignment, not a deck.
    const onMain = trackHits(3, 50, 70, 100, { perSec: 1, confidence: 0.49 });
    for (const h of onMain.hits) h.hit.inlierPeaks = Int32Array.from(h.hit.inlierFrames, (f) => f + 1e6);
    const shared = buildTimeline([...main.hits, ...onMain.hits], 120);
    expect(shared.entries.map((e) => e.trackId)).toEqual([1]);
    // Weak and in one window only: not reported.
    const once = trackHits(2, 50.3, 62, 100, { perSec: 1.5, confidence: 0.49 });
    const single = buildTimeline([...main.hits, ...once.hits.slice(1, 2)], 120);
    expect(single.entries.map((e) => e.trackId)).toEqual([1]);
  });

  it('places a crossfade from the evidence when the gains are scattered too much to show the fades', () => {
    // Through a phone in a room one match's gain scatters by several dB: the fades are read from where each
    // track's evidence ends and begins, not from a step fit that follows the scatter.
    const a = trackHits(1, 0, 64, 30, { fadeOut: 8, perSec: 3, gainNoiseDb: 9 });
    const b = trackHits(2, 56, 120, 10, { fadeIn: 8, perSec: 3, gainNoiseDb: 9 });
    const timeline = buildTimeline([...a.hits, ...b.hits], 120);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
    expect(Math.abs(timeline.entries[1].startSec - 60)).toBeLessThan(1.5);
  });

  it('sets aside a weaker alignment of the same passage (shadowed), with its own extent, without reporting it', () => {
    // Recording 50 (a recorded set that holds track 7) matches 0–60 s exactly; track 7 itself matches the same
    // query peaks (every other one) from 0 to 58 s at its own position: the timeline names the recording and
    // keeps the track's entry aside for resolveNestedMixes.
    const set = trackHits(50, 0, 60, 27, { perSec: 20 });
    const track = trackHits(7, 0, 58, 9, { perSec: 10 });
    const phantom = trackHits(3, 20, 35, 40, { perSec: 2 });
    const timeline = buildTimeline([...set.hits, ...track.hits, ...phantom.hits], 60);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([50]);
    const aside = timeline.shadowed ?? [];
    expect(aside.map((e) => e.trackId).sort()).toEqual([3, 7]);
    const t7 = aside.find((e) => e.trackId === 7)!;
    expect(t7.startSec).toBeLessThan(1);
    expect(t7.endSec).toBeGreaterThan(56);
    expect(Math.abs(t7.refStartSec - (9 + t7.startSec))).toBeLessThan(0.5);
  });

  it('drops short runs and joins one track across a missed window', () => {
    const a = trackHits(1, 0, 60, 0);
    // Remove the windows starting at 25 s (as if one lookup failed).
    const gappy = a.hits.filter((h) => Math.round(h.windowStart / HOP) !== 5);
    const blip = trackHits(2, 80, 85, 0);
    const timeline = buildTimeline([...gappy, ...blip.hits], 100);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1]);
    expect(timeline.entries[0].endSec).toBeGreaterThan(58);
  });

  it('keeps two plays of one track at different positions apart', () => {
    const first = trackHits(1, 0, 40, 0);
    const second = trackHits(1, 40, 80, 100);
    const timeline = buildTimeline([...first.hits, ...second.hits], 80);
    expect(timeline.entries.map((e) => [e.trackId, Math.round(e.refStartSec)])).toEqual([
      [1, 0],
      [1, expect.any(Number)],
    ]);
    expect(Math.abs(timeline.entries[1].refStartSec - (100 + (timeline.entries[1].startSec - 40)))).toBeLessThan(1);
  });

  it('places the boundary at the seen fade when the incoming track left no evidence of its fade-in', () => {
    // Track 1 fades out 56–64 (midpoint 60); track 2's matches begin only at 62, already at full level.
    const a = trackHits(1, 0, 64, 0, { fadeOut: 8 });
    const b = trackHits(2, 62, 120, 10);
    const timeline = buildTimeline([...a.hits, ...b.hits], 120);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2]);
    const [e1, e2] = timeline.entries;
    expect(Math.abs(e2.startSec - 60)).toBeLessThan(1);
    expect(e1.endSec).toBe(e2.startSec);
    expect(timeline.unknown).toEqual([]);
  });

  it('splits a track around another one played in between where the first would have continued', () => {
    // Track 1 at 0–40 and again at 70–110 with one alignment (the DJ came back to it "in time"), track 2 between.
    const first = trackHits(1, 0, 44, 0, { fadeOut: 8 });
    const back = trackHits(1, 66, 110, 66, { fadeIn: 8 });
    const between = trackHits(2, 36, 74, 5, { fadeIn: 8, fadeOut: 8 });
    const timeline = buildTimeline([...first.hits, ...back.hits, ...between.hits], 110);
    expect(timeline.entries.map((e) => e.trackId)).toEqual([1, 2, 1]);
    expect(Math.abs(timeline.entries[1].startSec - 40)).toBeLessThan(1.5);
    expect(Math.abs(timeline.entries[2].startSec - 70)).toBeLessThan(1.5);
  });
});
