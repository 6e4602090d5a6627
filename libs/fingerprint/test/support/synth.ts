/**
 * Deterministic synthetic "music" for tests and benchmarks: overlapping notes of random pitch (log-uniform,
 * not on a scale, so different seeds share no structure), a few harmonics each, plucked envelopes.
 * Random access: each second of audio owns the notes that start in it, so any range can be rendered without
 * rendering what comes before — a 4-hour file is generated chunk by chunk and never held in memory.
 */
import { FINGERPRINT_SAMPLE_RATE } from '../../src/params';

const SR = FINGERPRINT_SAMPLE_RATE;
/** Longest note, seconds (notes ring into the next second, never further). */
const MAX_NOTE_SEC = 0.9;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Note {
  start: number; // samples
  length: number; // samples
  freq: number;
  amp: number;
  harmonics: number;
  decay: number; // per sample
}

function notesOfSecond(seed: number, second: number): Note[] {
  const rnd = mulberry32(Math.imul(seed, 0x9e3779b1) ^ Math.imul(second + 1, 0x85ebca6b));
  const count = 3 + Math.floor(rnd() * 5);
  const notes: Note[] = [];
  for (let i = 0; i < count; i++) {
    const lenSec = 0.12 + rnd() * (MAX_NOTE_SEC - 0.12);
    notes.push({
      start: Math.floor((second + rnd()) * SR),
      length: Math.floor(lenSec * SR),
      freq: 130 * Math.pow(2, rnd() * 4.4),
      amp: 0.05 + rnd() * 0.1,
      harmonics: 1 + Math.floor(rnd() * 3),
      decay: Math.exp(-(1.5 + rnd() * 4) / SR),
    });
  }
  return notes;
}

/** Renders samples [from, to) of the synthetic recording `seed` (mono, FINGERPRINT_SAMPLE_RATE). */
export function renderSynth(seed: number, from: number, to: number): Float32Array {
  const out = new Float32Array(to - from);
  const firstSecond = Math.max(0, Math.floor(from / SR) - Math.ceil(MAX_NOTE_SEC));
  const lastSecond = Math.floor((to - 1) / SR);
  for (let s = firstSecond; s <= lastSecond; s++) {
    for (const n of notesOfSecond(seed, s)) {
      const a = Math.max(n.start, from);
      const b = Math.min(n.start + n.length, to);
      if (a >= b) continue;
      for (let h = 1; h <= n.harmonics; h++) {
        const f = n.freq * h;
        if (f >= SR / 2 - 200) break;
        // Rotating phasor: one complex multiply per sample instead of Math.sin.
        const w = (2 * Math.PI * f) / SR;
        const cw = Math.cos(w);
        const sw = Math.sin(w);
        const k0 = a - n.start;
        let re = Math.cos(w * k0);
        let im = Math.sin(w * k0);
        let env = (n.amp / h) * Math.pow(n.decay, k0);
        const attack = Math.floor(0.01 * SR);
        for (let i = a; i < b; i++) {
          const k = i - n.start;
          const gain = k < attack ? k / attack : 1;
          out[i - from] += env * gain * im;
          const nr = re * cw - im * sw;
          im = re * sw + im * cw;
          re = nr;
          env *= n.decay;
        }
      }
    }
  }
  return out;
}

/** Streams a synthetic recording of `durationSec` in chunks of `chunkSec` without holding all of it. */
export function* synthChunks(seed: number, durationSec: number, chunkSec = 10, startSec = 0): Generator<Float32Array> {
  const end = Math.round((startSec + durationSec) * SR);
  for (let from = Math.round(startSec * SR); from < end; from += chunkSec * SR) {
    yield renderSynth(seed, from, Math.min(end, from + chunkSec * SR));
  }
}
