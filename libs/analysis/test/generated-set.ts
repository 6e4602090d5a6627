/**
 * The generated evaluation set with known answers, written to a directory as audio files. Shared by the
 * spec files (small subsets) and bench/analysis (the full set).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type DrumStyle,
  PITCH_NAMES,
  SAMPLE_RATE,
  chordProgression,
  concat,
  drumPattern,
  mixTogether,
  writeWav,
} from './synth';

export interface BpmCase {
  name: string;
  file: string;
  bpm: number;
  style: DrumStyle;
  tonic: number;
  scale: 'major' | 'minor';
}

export const BENCH_TEMPOS = [90, 100, 128, 140, 174];
export const BENCH_STYLES: DrumStyle[] = ['four', 'hiphop', 'breakbeat', 'dnb', 'halftime', 'click'];

/** Drum patterns (with a chord pad and bass in a rotating key) at each tempo and style. */
export function writeBpmSet(
  dir: string,
  options: { tempos?: number[]; styles?: DrumStyle[]; seconds?: number } = {},
): BpmCase[] {
  const out: BpmCase[] = [];
  let n = 0;
  for (const bpm of options.tempos ?? BENCH_TEMPOS) {
    for (const style of options.styles ?? BENCH_STYLES) {
      const tonic = (n * 5) % 12;
      const scale = n % 2 ? 'major' : 'minor';
      const name = `${style}-${bpm}`;
      const file = path.join(dir, `${name}.wav`);
      const signal = drumPattern({
        bpm,
        seconds: options.seconds ?? 30,
        style,
        seed: 1000 + n,
        gain: 0.7,
        offsetSec: (n % 4) * 0.25,
        harmony: style === 'click' ? undefined : { tonic, scale },
      });
      writeWav(file, signal, SAMPLE_RATE, true);
      out.push({ name, file, bpm, style, tonic, scale });
      n++;
    }
  }
  return out;
}

export interface KeyCase {
  name: string;
  file: string;
  tonic: number;
  scale: 'major' | 'minor';
  variant: number;
  drums: boolean;
  detuneCents: number;
}

/**
 * Chord progressions in every key, major and minor, three progressions each (cadences and the pop loop /
 * natural-minor loop that only the tonic emphasis disambiguates), some detuned, some over drums.
 */
export function writeKeySet(
  dir: string,
  options: { tonics?: number[]; variants?: number[]; seconds?: number } = {},
): KeyCase[] {
  const out: KeyCase[] = [];
  let n = 0;
  for (const tonic of options.tonics ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) {
    for (const scale of ['major', 'minor'] as const) {
      for (const variant of options.variants ?? [0, 1, 2]) {
        // Conditions vary independently of scale and progression, so no progression always meets the same ones.
        const drums = (tonic + variant) % 2 === 1;
        // Up to 40 cents off A = 440 Hz (old records, vinyl rips played at a slightly wrong speed).
        const detuneCents = [0, 15, -25, 40][(tonic + variant + (scale === 'minor' ? 1 : 0)) % 4];
        const seconds = options.seconds ?? 16;
        let signal = chordProgression({ tonic, scale, seconds, variant, detuneCents });
        if (drums)
          signal = mixTogether(
            signal,
            drumPattern({ bpm: 120 + (n % 5) * 5, seconds, style: 'four', seed: n, gain: 0.5 }),
          );
        const name = `${PITCH_NAMES[tonic]}-${scale}-v${variant}${drums ? '-drums' : ''}${detuneCents ? `-${detuneCents}c` : ''}`;
        const file = path.join(dir, `${name}.wav`);
        writeWav(file, signal, SAMPLE_RATE, true);
        out.push({ name, file, tonic, scale, variant, drums, detuneCents });
        n++;
      }
    }
  }
  return out;
}

/**
 * An arranged track: 32-bar intro (drums only, quieter), body, breakdown (pad only), drop, outro (drums,
 * fading). Returns the file and the section boundaries in seconds.
 */
export function writeArrangedTrack(
  file: string,
  o: {
    bpm: number;
    tonic: number;
    scale: 'major' | 'minor';
    bars?: { intro: number; body: number; breakdown: number; drop: number; outro: number };
  },
): { file: string; sections: { intro: number; breakdown: number; drop: number; outro: number; end: number } } {
  const bars = o.bars ?? { intro: 16, body: 32, breakdown: 16, drop: 32, outro: 16 };
  const barSec = (4 * 60) / o.bpm;
  const harmony = { tonic: o.tonic, scale: o.scale };
  const intro = drumPattern({ bpm: o.bpm, seconds: bars.intro * barSec, style: 'four', seed: 1, gain: 0.45 });
  const body = drumPattern({ bpm: o.bpm, seconds: bars.body * barSec, style: 'four', seed: 2, harmony });
  const breakdown = chordProgression({
    tonic: o.tonic,
    scale: o.scale,
    seconds: bars.breakdown * barSec,
    secondsPerChord: barSec * 2,
    gain: 0.06,
  });
  const drop = drumPattern({ bpm: o.bpm, seconds: bars.drop * barSec, style: 'four', seed: 3, harmony });
  const outro = drumPattern({ bpm: o.bpm, seconds: bars.outro * barSec, style: 'four', seed: 4, gain: 0.45 });
  for (let i = 0; i < outro.length; i++) outro[i] *= 1 - (0.8 * i) / outro.length;
  writeWav(file, concat(intro, body, breakdown, drop, outro), SAMPLE_RATE, true);
  const t = (b: number) => b * barSec;
  return {
    file,
    sections: {
      intro: t(bars.intro),
      breakdown: t(bars.intro + bars.body),
      drop: t(bars.intro + bars.body + bars.breakdown),
      outro: t(bars.intro + bars.body + bars.breakdown + bars.drop),
      end: t(bars.intro + bars.body + bars.breakdown + bars.drop + bars.outro),
    },
  };
}

export interface MixSegment {
  bpm: number;
  tonic: number;
  scale: 'major' | 'minor';
  style: DrumStyle;
  seconds: number;
}

/** Segments of a DJ-mix-like file: tempo and key change between segments. */
export const MIX_SEGMENTS: MixSegment[] = [
  { bpm: 124, tonic: 9, scale: 'minor', style: 'four', seconds: 120 },
  { bpm: 128, tonic: 5, scale: 'minor', style: 'four', seconds: 150 },
  { bpm: 140, tonic: 2, scale: 'minor', style: 'breakbeat', seconds: 120 },
  { bpm: 174, tonic: 7, scale: 'major', style: 'hiphop', seconds: 90 },
];

/**
 * A long mix: the segments written once as FLAC, then repeated by ffmpeg's concat demuxer into one real
 * file of at least `minSeconds` (synthesising hours of audio in JS would need the whole signal in memory).
 * Returns the file and the segment layout of one cycle.
 */
export function writeLongMix(dir: string, minSeconds: number): { file: string; cycleSec: number; cycles: number } {
  const parts = MIX_SEGMENTS.map((s, i) =>
    drumPattern({
      bpm: s.bpm,
      seconds: s.seconds,
      style: s.style,
      seed: 50 + i,
      harmony: { tonic: s.tonic, scale: s.scale },
      gain: 0.7,
    }),
  );
  const cycle = path.join(dir, 'mix-cycle.wav');
  writeWav(cycle, concat(...parts), SAMPLE_RATE, true);
  const cycleSec = MIX_SEGMENTS.reduce((a, s) => a + s.seconds, 0);
  const cycles = Math.ceil(minSeconds / cycleSec);
  const list = path.join(dir, 'mix.ffconcat');
  writeFileSync(
    list,
    ['ffconcat version 1.0', ...Array.from({ length: cycles }, () => `file mix-cycle.wav\nduration ${cycleSec}`)].join(
      '\n',
    ) + '\n',
  );
  const file = path.join(dir, `mix-${Math.round((cycles * cycleSec) / 60)}min.flac`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', list, '-c:a', 'flac', '-compression_level', '0', file], {
    stdio: 'pipe',
  });
  return { file, cycleSec, cycles };
}

/** The segment playing at time t (s) of a long mix. */
export function mixSegmentAt(t: number): MixSegment {
  const cycleSec = MIX_SEGMENTS.reduce((a, s) => a + s.seconds, 0);
  let x = t % cycleSec;
  for (const s of MIX_SEGMENTS) {
    if (x < s.seconds) return s;
    x -= s.seconds;
  }
  return MIX_SEGMENTS[MIX_SEGMENTS.length - 1];
}
