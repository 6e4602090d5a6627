/**
 * Test signals with known answers, synthesised in code: drum patterns at a known tempo, chord progressions
 * in a known key, silence, and writers that put them on disk as WAV (and, through ffmpeg, other formats).
 * Used by the spec files and by bench/analysis; nothing here is copied from elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export const SAMPLE_RATE = 44100;

/** Small deterministic PRNG (mulberry32), so every run synthesises the same noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type DrumStyle = 'four' | 'hiphop' | 'breakbeat' | 'dnb' | 'halftime' | 'click';

export interface DrumOptions {
  bpm: number;
  seconds: number;
  style: DrumStyle;
  sampleRate?: number;
  seed?: number;
  /** Seconds of silence before the first beat (tests the first-beat estimate). */
  offsetSec?: number;
  /** Add a chord pad and bass in this key (tonic pitch class 0 = C) on every bar. */
  harmony?: { tonic: number; scale: 'major' | 'minor' };
  /** Gain applied to the whole mix. */
  gain?: number;
}

/** Drum hits on a 16th-note grid (index 0..15 in a 4/4 bar): k kick, s snare, h closed hat, o open hat, c click. */
const PATTERNS: Record<DrumStyle, string[]> = {
  // House / techno: kick on every beat, open hat on the off-beats, closed hats on 16ths.
  four: ['k h', 'h', 'o', 'h', 'k h', 'h', 'o', 'h', 'ks h', 'h', 'o', 'h', 'k h', 'h', 'o', 'h'],
  // Boom-bap: kick on 1 and the "and" of 2 and 3, snare on 2 and 4, hats on 8ths.
  hiphop: ['k h', '', 'h', '', 's h', '', 'h', 'k', 'k h', '', 'k h', '', 's h', '', 'h', ''],
  // Breakbeat: syncopated kick, snare on 2 and 4, 16th hats.
  breakbeat: ['k h', 'h', 'h', 'k h', 's h', 'h', 'h', 'h', 'h', 'h', 'k h', 'h', 's h', 'h', 'h', 'k h'],
  // Drum and bass two-step at the full tempo: kick on 1 and the "and" of 3, snare on 2 and 4, 8th hats.
  dnb: ['k h', '', 'h', '', 's h', '', 'h', '', 'h', '', 'k h', '', 's h', '', 'h', ''],
  // Half-time (dubstep/trap feel): kick on 1, snare on 3, hats on 8ths; the tempo is still the full bpm.
  halftime: ['k h', '', 'h', '', 'h', '', 'h', '', 's h', '', 'h', '', 'h', '', 'h', 'k'],
  // Metronome: accented click on the downbeat, plain clicks on the other beats.
  click: ['C', '', '', '', 'c', '', '', '', 'c', '', '', '', 'c', '', '', ''],
};

function addKick(out: Float32Array, at: number, sr: number, gain: number): void {
  const len = Math.floor(0.35 * sr);
  let phase = 0;
  for (let i = 0; i < len && at + i < out.length; i++) {
    const t = i / sr;
    const f = 48 + 110 * Math.exp(-t * 30);
    phase += (2 * Math.PI * f) / sr;
    out[at + i] += gain * 0.9 * Math.sin(phase) * Math.exp(-t * 9);
  }
}

function addSnare(out: Float32Array, at: number, sr: number, gain: number, rand: () => number): void {
  const len = Math.floor(0.2 * sr);
  let lp = 0;
  for (let i = 0; i < len && at + i < out.length; i++) {
    const t = i / sr;
    const n = rand() * 2 - 1;
    lp += 0.5 * (n - lp); // gentle low-pass to take the fizz off
    out[at + i] += gain * (0.45 * lp * Math.exp(-t * 22) + 0.35 * Math.sin(2 * Math.PI * 185 * t) * Math.exp(-t * 30));
  }
}

function addHat(out: Float32Array, at: number, sr: number, gain: number, rand: () => number, open: boolean): void {
  const len = Math.floor((open ? 0.25 : 0.06) * sr);
  const decay = open ? 14 : 70;
  let prev = 0;
  for (let i = 0; i < len && at + i < out.length; i++) {
    const t = i / sr;
    const n = rand() * 2 - 1;
    const hp = n - prev; // first difference: a crude high-pass that leaves the hiss
    prev = n;
    out[at + i] += gain * 0.12 * hp * Math.exp(-t * decay);
  }
}

function addClick(out: Float32Array, at: number, sr: number, gain: number, accent: boolean): void {
  const len = Math.floor(0.03 * sr);
  // A metronome's bar accent: higher and louder.
  const f = accent ? 1760 : 1320;
  const level = accent ? 0.8 : 0.4;
  for (let i = 0; i < len && at + i < out.length; i++) {
    const t = i / sr;
    out[at + i] += gain * level * Math.sin(2 * Math.PI * f * t) * Math.exp(-t * 150);
  }
}

export const MAJOR_STEPS = [0, 2, 4, 5, 7, 9, 11];
export const MINOR_STEPS = [0, 2, 3, 5, 7, 8, 10];

/** Frequency of a MIDI note number (A4 = 69 = 440 Hz). */
export const midiHz = (m: number): number => 440 * Math.pow(2, (m - 69) / 12);

/** Adds one sustained note with six harmonics (1/k amplitudes) and a soft attack/release. */
function addNote(
  out: Float32Array,
  startSample: number,
  lengthSamples: number,
  hz: number,
  sr: number,
  gain: number,
): void {
  const attack = Math.min(0.02 * sr, lengthSamples / 4);
  const release = Math.min(0.08 * sr, lengthSamples / 4);
  const harmonics = 6;
  for (let h = 1; h <= harmonics; h++) {
    const f = hz * h;
    if (f > sr / 2.2) break;
    const a = gain / h;
    const w = (2 * Math.PI * f) / sr;
    for (let i = 0; i < lengthSamples && startSample + i < out.length; i++) {
      let env = 1;
      if (i < attack) env = i / attack;
      else if (i > lengthSamples - release) env = Math.max(0, (lengthSamples - i) / release);
      out[startSample + i] += a * env * Math.sin(w * i);
    }
  }
}

/**
 * Chords of a progression in a key, as MIDI notes. Progressions lean on the tonic (start, end and the
 * longest chord are the tonic) and minor ones use the harmonic-minor dominant (the raised leading tone),
 * because a progression that only circles the relative major's chords has no single right answer.
 */
export function progressionChords(tonic: number, scale: 'major' | 'minor', variant = 0): number[][] {
  const steps = scale === 'major' ? MAJOR_STEPS : MINOR_STEPS;
  const root = 48 + tonic; // octave 3
  const triad = (degree: number, raiseThird = false): number[] => {
    const note = (d: number) => {
      const octave = Math.floor(d / 7);
      return root + steps[d % 7] + 12 * octave;
    };
    const chord = [note(degree), note(degree + 2), note(degree + 4)];
    if (raiseThird) chord[1] += 1; // V major in minor keys (leading tone)
    return chord;
  };
  const v = variant % 3;
  if (scale === 'major') {
    if (v === 0) return [triad(0), triad(3), triad(4), triad(0)]; // I IV V I
    if (v === 1) return [triad(0), triad(5), triad(3), triad(4)]; // I vi IV V
    return [triad(0), triad(4), triad(5), triad(3)]; // I V vi IV (the pop loop)
  }
  if (v === 0) return [triad(0), triad(3), triad(4, true), triad(0)]; // i iv V i
  if (v === 1) return [triad(0), triad(5), triad(3), triad(4, true)]; // i VI iv V
  return [triad(0), triad(5), triad(2), triad(6)]; // i VI III VII (natural minor loop, no leading tone)
}

export interface ChordOptions {
  tonic: number;
  scale: 'major' | 'minor';
  seconds: number;
  secondsPerChord?: number;
  variant?: number;
  sampleRate?: number;
  gain?: number;
  /** Tuning offset in cents (records are often not at A = 440 Hz). */
  detuneCents?: number;
}

/** A chord progression with a bass note under every chord, repeated to fill the requested length. */
export function chordProgression(o: ChordOptions): Float32Array {
  const sr = o.sampleRate ?? SAMPLE_RATE;
  const out = new Float32Array(Math.round(o.seconds * sr));
  const chords = progressionChords(o.tonic, o.scale, o.variant ?? 0);
  const perChord = Math.round((o.secondsPerChord ?? 2) * sr);
  const gain = o.gain ?? 0.12;
  const tune = Math.pow(2, (o.detuneCents ?? 0) / 1200);
  for (let start = 0, i = 0; start < out.length; start += perChord, i++) {
    const chord = chords[i % chords.length];
    for (const m of chord) addNote(out, start, perChord, midiHz(m) * tune, sr, gain);
    addNote(out, start, perChord, midiHz(chord[0] - 12) * tune, sr, gain * 1.2);
  }
  return out;
}

/** A drum pattern (optionally with harmony) at an exact tempo. */
export function drumPattern(o: DrumOptions): Float32Array {
  const sr = o.sampleRate ?? SAMPLE_RATE;
  const out = new Float32Array(Math.round(o.seconds * sr));
  const rand = rng(o.seed ?? 1);
  const sixteenth = (60 / o.bpm / 4) * sr;
  const offset = Math.round((o.offsetSec ?? 0) * sr);
  const pattern = PATTERNS[o.style];
  const gain = o.gain ?? 1;
  for (let step = 0; ; step++) {
    const at = offset + Math.round(step * sixteenth);
    if (at >= out.length) break;
    const hits = pattern[step % 16];
    // Small deterministic velocity variation, as a drummer or a groove template would add.
    const vel = gain * (0.85 + 0.15 * rand());
    for (const h of hits.split('')) {
      if (h === 'k') addKick(out, at, sr, vel);
      else if (h === 's') addSnare(out, at, sr, vel, rand);
      else if (h === 'h') addHat(out, at, sr, vel, rand, false);
      else if (h === 'o') addHat(out, at, sr, vel, rand, true);
      else if (h === 'c' || h === 'C') addClick(out, at, sr, vel, h === 'C');
    }
  }
  if (o.harmony) {
    const chords = progressionChords(o.harmony.tonic, o.harmony.scale, 0);
    const bar = Math.round(16 * sixteenth);
    for (let b = 0, start = offset; start < out.length; b++, start = offset + Math.round(b * 16 * sixteenth)) {
      const chord = chords[b % chords.length];
      for (const m of chord) addNote(out, start, bar, midiHz(m + 12), sr, gain * 0.05);
      addNote(out, start, bar, midiHz(chord[0] - 12), sr, gain * 0.1);
    }
  }
  return out;
}

/** Joins signals end to end. */
export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Sum of two signals (the shorter one padded with silence). */
export function mixTogether(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(Math.max(a.length, b.length));
  for (let i = 0; i < a.length; i++) out[i] += a[i];
  for (let i = 0; i < b.length; i++) out[i] += b[i];
  return out;
}

/** Writes 16-bit PCM WAV (mono, or stereo with identical channels when `stereo` is set). */
export function writeWav(file: string, samples: Float32Array, sampleRate = SAMPLE_RATE, stereo = false): void {
  const channels = stereo ? 2 : 1;
  const data = Buffer.alloc(samples.length * 2 * channels);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    const s = Math.round(v * 32767);
    for (let c = 0; c < channels; c++) data.writeInt16LE(s, (i * channels + c) * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/** Re-encodes with ffmpeg (format variants: sample rate, channels, bit depth, codec). */
export function ffmpegConvert(input: string, output: string, args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', input, ...args, output], { stdio: 'pipe' });
}

export const PITCH_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
