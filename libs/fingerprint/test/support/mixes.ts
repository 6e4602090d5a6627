/**
 * Builds DJ-style mixes in code for tests and benchmarks: segments of library recordings (or of music kept
 * out of the library) with speed changes, key-locked stretches, EQ, noise or a lossy re-encode, joined by
 * linear crossfades, plus the ground truth of what plays when. Audio work is done by Debian's ffmpeg at the
 * fingerprint rate (8 kHz mono), so a 60-minute mix is about 115 MB of floats.
 */
import { decodeMonoToArray, probeAudio } from '@crateflow/audio';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FINGERPRINT_SAMPLE_RATE } from '../../src/params';
import { TimelineEntry } from '../../src/timeline';
import { LIBRARY, OUTSIDE_LIBRARY } from './fixtures';
import { addVoice, phoneRecording, writeWavFloat } from './live-set';
import { renderSynth } from './synth';

const SR = FINGERPRINT_SAMPLE_RATE;

export type Variant =
  | { kind: 'clean' }
  | { kind: 'vinyl'; speed: number }
  | { kind: 'tempo'; speed: number }
  | { kind: 'bass' }
  | { kind: 'noise'; snrDb: number }
  | { kind: 'mp3' }
  /** DJ software's key shift: pitch moved by `semitones`, tempo unchanged (key lock). */
  | { kind: 'key'; semitones: number };

export type SegmentSource = { file: string } | { synthSeed: number };

export interface SegmentSpec {
  /** Library id of the source, or null for music outside the library (a distractor). */
  trackId: number | null;
  source: SegmentSource;
  /** Position in the source where the segment starts, seconds. */
  refStartSec: number;
  /** Length in the mix, seconds, crossfades included. */
  lengthSec: number;
  variant: Variant;
  /** An MC talking (shouting) over this segment (live-set cases, see live-set.ts). */
  voiceOver?: { seed: number; gainDb: number };
  /**
   * A third deck layered under this segment at equal level: `layer.lengthSec` of another source from
   * `atSec` into the segment (2-s fades), reported in the truth as its own entry.
   */
  layer?: { trackId: number | null; source: SegmentSource; refStartSec: number; atSec: number; lengthSec: number };
}

export interface TruthEntry {
  trackId: number | null;
  /** Crossfade midpoints (0 for the first segment, the mix end for the last). */
  startSec: number;
  /**
   * Where the track becomes louder than the one it replaces (short-term level with the fades applied):
   * what a listener hears as the change. Equals startSec for music of steady loudness; later when the track
   * enters with a quiet intro under a loud outgoing track, earlier the other way round.
   */
  dominantSec: number;
  endSec: number;
  refStartSec: number;
  speed: number;
  variant: Variant;
  /** Live-set conditions this segment was heard under: 'mc', 'layer' (it is the layered deck), 'under-layer', 'phone'. */
  tags?: string[];
}

export interface BuiltMix {
  pcm: Float32Array;
  durationSec: number;
  truth: TruthEntry[];
}

export function variantName(v: Variant): string {
  switch (v.kind) {
    case 'vinyl':
    case 'tempo':
      return `${v.kind}${v.speed >= 1 ? '+' : ''}${Math.round((v.speed - 1) * 1000) / 10}%`;
    case 'noise':
      return `noise${v.snrDb}dB`;
    case 'key':
      return `key${v.semitones >= 0 ? '+' : ''}${v.semitones}`;
    default:
      return v.kind;
  }
}

/** Track seconds per mix second for a variant. */
export function speedOf(v: Variant): number {
  return v.kind === 'vinyl' || v.kind === 'tempo' ? v.speed : 1;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds white Gaussian noise at `snrDb` relative to the signal's mean power (deterministic). */
export function addWhiteNoise(pcm: Float32Array, snrDb: number, seed = 1): Float32Array {
  let power = 0;
  for (let i = 0; i < pcm.length; i++) power += pcm[i] * pcm[i];
  power /= Math.max(1, pcm.length);
  const sd = Math.sqrt(power / 10 ** (snrDb / 10));
  const rnd = mulberry32(seed);
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i += 2) {
    const u = rnd() || 1e-12;
    const v = rnd();
    const r = Math.sqrt(-2 * Math.log(u)) * sd;
    out[i] = pcm[i] + r * Math.cos(2 * Math.PI * v);
    if (i + 1 < pcm.length) out[i + 1] = pcm[i + 1] + r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Renders one segment at the fingerprint rate, exactly lengthSec long. */
export async function renderSegment(spec: SegmentSpec, workDir: string, seed = 1): Promise<Float32Array> {
  const samples = Math.round(spec.lengthSec * SR);
  let pcm: Float32Array;
  const v = spec.variant;
  if ('synthSeed' in spec.source) {
    const from = Math.round(spec.refStartSec * SR);
    if (v.kind === 'clean' || v.kind === 'noise') {
      pcm = renderSynth(spec.source.synthSeed, from, from + samples);
      if (v.kind === 'noise') pcm = addWhiteNoise(pcm, v.snrDb, seed);
      return pcm;
    }
    // Other variants go through ffmpeg like a file: render (a little more than) the source span to a WAV.
    const wav = path.join(workDir, `synth-${seed}.wav`);
    const span = Math.ceil((spec.lengthSec * speedOf(v) + 2) * SR);
    writeWavFloat(wav, renderSynth(spec.source.synthSeed, from, from + span));
    return renderSegment({ ...spec, source: { file: wav }, refStartSec: 0 }, workDir, seed);
  }
  const file = spec.source.file;
  const window = { sampleRate: SR, startSec: spec.refStartSec, durationSec: spec.lengthSec };
  if (v.kind === 'mp3') {
    const mp3 = path.join(workDir, `seg-${seed}.mp3`);
    execFileSync('ffmpeg', [
      '-y',
      '-v',
      'error',
      '-ss',
      String(spec.refStartSec),
      '-t',
      String(spec.lengthSec + 1),
      '-i',
      file,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '128k',
      mp3,
    ]);
    pcm = await decodeMonoToArray(mp3, { sampleRate: SR, durationSec: spec.lengthSec });
  } else if (v.kind === 'vinyl') {
    const rate = (await probeAudio(file)).sampleRate;
    pcm = await decodeMonoToArray(file, {
      ...window,
      extraFilters: [`asetrate=${Math.round(rate * v.speed)}`, `aresample=${rate}`],
    });
  } else if (v.kind === 'tempo') {
    pcm = await decodeMonoToArray(file, { ...window, extraFilters: [`atempo=${v.speed}`] });
  } else if (v.kind === 'key') {
    pcm = await decodeMonoToArray(file, { ...window, extraFilters: [`rubberband=pitch=${2 ** (v.semitones / 12)}`] });
  } else if (v.kind === 'bass') {
    pcm = await decodeMonoToArray(file, { ...window, extraFilters: ['bass=g=6'] });
  } else {
    pcm = await decodeMonoToArray(file, window);
    if (v.kind === 'noise') pcm = addWhiteNoise(pcm, v.snrDb, seed);
  }
  if (pcm.length === samples) return pcm;
  const exact = new Float32Array(samples);
  exact.set(pcm.subarray(0, samples));
  return exact;
}

/**
 * Joins segments with linear crossfades of `crossfadeSec[i]` between segment i and i+1 (6–10 s in the
 * tests). Returns the mix and the truth, with each boundary at the crossfade's midpoint.
 */
export async function buildMix(
  segments: SegmentSpec[],
  crossfadeSec: number[],
  options: { phone?: boolean } = {},
): Promise<BuiltMix> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'cf-mix-'));
  try {
    const starts: number[] = [];
    let pos = 0;
    for (let i = 0; i < segments.length; i++) {
      starts.push(pos);
      pos += segments[i].lengthSec - (i < segments.length - 1 ? crossfadeSec[i] : 0);
    }
    const durationSec = pos;
    const mix = new Float32Array(Math.round(durationSec * SR));
    const truth: TruthEntry[] = [];
    let previousTail: Float64Array | null = null;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      // Level-matched like a DJ's gain knob: every segment at the same RMS, so the crossfade midpoint is
      // where both tracks are equally present.
      const pcm = normaliseRms(await renderSegment(seg, workDir, i + 1), TARGET_RMS);
      const tags: string[] = [];
      const layerTruth: TruthEntry[] = [];
      if (seg.layer) {
        const l = seg.layer;
        const layerVariant: Variant = { kind: 'clean' };
        const layered = normaliseRms(
          await renderSegment(
            {
              trackId: l.trackId,
              source: l.source,
              refStartSec: l.refStartSec,
              lengthSec: l.lengthSec,
              variant: layerVariant,
            },
            workDir,
            1000 + i,
          ),
          TARGET_RMS,
        );
        addFaded(pcm, layered, Math.round(l.atSec * SR), LAYER_FADE_SEC * SR);
        tags.push('under-layer');
        const at = starts[i] + l.atSec;
        layerTruth.push({
          trackId: l.trackId,
          startSec: at + LAYER_FADE_SEC / 2,
          endSec: at + l.lengthSec - LAYER_FADE_SEC / 2,
          dominantSec: at + LAYER_FADE_SEC / 2,
          refStartSec: l.refStartSec + LAYER_FADE_SEC / 2,
          speed: 1,
          variant: layerVariant,
          tags: ['layer'],
        });
      }
      if (seg.voiceOver) {
        addVoice(pcm, seg.voiceOver.seed, seg.voiceOver.gainDb);
        tags.push('mc');
      }
      const fadeIn = i > 0 ? crossfadeSec[i - 1] * SR : 0;
      const fadeOut = i < segments.length - 1 ? crossfadeSec[i] * SR : 0;
      const offset = Math.round(starts[i] * SR);
      for (let k = 0; k < pcm.length && offset + k < mix.length; k++) {
        let g = 1;
        if (k < fadeIn) g = k / fadeIn;
        const fromEnd = pcm.length - k;
        if (fromEnd < fadeOut) g = Math.min(g, fromEnd / fadeOut);
        mix[offset + k] += g * pcm[k];
      }
      const startSec = i === 0 ? 0 : starts[i] + crossfadeSec[i - 1] / 2;
      const endSec = i === segments.length - 1 ? durationSec : starts[i + 1] + crossfadeSec[i] / 2;
      const speed = speedOf(seg.variant);
      let dominantSec = startSec;
      if (i > 0 && previousTail) {
        dominantSec = starts[i] + louderFrom(blockPower(pcm, 0, fadeIn, fadeIn, true), previousTail) * LEVEL_BLOCK_SEC;
      }
      previousTail = fadeOut > 0 ? blockPower(pcm, pcm.length - fadeOut, pcm.length, fadeOut, false) : null;
      truth.push({
        trackId: seg.trackId,
        startSec,
        endSec,
        dominantSec,
        refStartSec: seg.refStartSec + speed * (startSec - starts[i]),
        speed,
        variant: seg.variant,
        tags,
      });
      truth.push(...layerTruth);
    }
    if (options.phone) {
      const recorded = await phoneRecording(mix, workDir);
      for (const t of truth) t.tags = [...(t.tags ?? []), 'phone'];
      return { pcm: recorded, durationSec, truth };
    }
    return { pcm: mix, durationSec, truth };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Fade of a layered third deck, seconds (a DJ opens the channel fader quickly). */
const LAYER_FADE_SEC = 2;

/** Adds `layer` into `pcm` from sample `at`, with linear fades of `fade` samples at both ends. */
function addFaded(pcm: Float32Array, layer: Float32Array, at: number, fade: number): void {
  for (let k = 0; k < layer.length && at + k < pcm.length; k++) {
    const g = Math.min(1, k / fade, (layer.length - k) / fade);
    pcm[at + k] += g * layer[k];
  }
}

const LEVEL_BLOCK_SEC = 0.25;

/** Power per LEVEL_BLOCK_SEC block of pcm[from, to) with a linear fade in (or out) over `fade` samples. */
function blockPower(pcm: Float32Array, from: number, to: number, fade: number, fadingIn: boolean): Float64Array {
  const block = Math.round(LEVEL_BLOCK_SEC * SR);
  const out = new Float64Array(Math.ceil((to - from) / block));
  for (let k = from; k < to; k++) {
    const g = fadingIn ? (k - from) / fade : (to - k) / fade;
    out[Math.floor((k - from) / block)] += (g * pcm[k]) ** 2;
  }
  return out;
}

/**
 * Block index from which the incoming track is the louder (levels smoothed over 1 s): the split of the
 * crossfade into "outgoing louder" then "incoming louder" that disagrees with the fewest blocks.
 */
function louderFrom(incoming: Float64Array, outgoing: Float64Array): number {
  const n = Math.min(incoming.length, outgoing.length);
  const smooth = (p: Float64Array, k: number) => {
    let s = 0;
    for (let j = Math.max(0, k - 2); j <= Math.min(n - 1, k + 2); j++) s += p[j];
    return s;
  };
  const louder = Array.from({ length: n }, (_, k) => smooth(incoming, k) > smooth(outgoing, k));
  let err = louder.filter((x) => !x).length;
  let best = err;
  let ties = [0];
  for (let k = 1; k <= n; k++) {
    err += louder[k - 1] ? 1 : -1;
    if (err < best) {
      best = err;
      ties = [k];
    } else if (err === best) ties.push(k);
  }
  return ties[(ties.length - 1) >> 1];
}

/** −20 dBFS. */
const TARGET_RMS = 0.1;

export function normaliseRms(pcm: Float32Array, target: number): Float32Array {
  let power = 0;
  for (let i = 0; i < pcm.length; i++) power += pcm[i] * pcm[i];
  const rms = Math.sqrt(power / Math.max(1, pcm.length));
  if (rms < 1e-6) return pcm;
  const g = target / rms;
  for (let i = 0; i < pcm.length; i++) pcm[i] *= g;
  return pcm;
}

/** Fixed variants (the extremes weigh more) and, a quarter of the time, a random speed within range. */
const MIX_VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'vinyl', speed: 1.08 },
  { kind: 'vinyl', speed: 0.92 },
  { kind: 'tempo', speed: 1.06 },
  { kind: 'tempo', speed: 0.94 },
  { kind: 'bass' },
  { kind: 'noise', snrDb: 10 },
  { kind: 'mp3' },
];

function randomVariant(rnd: () => number): Variant {
  const r = rnd();
  if (r < 0.125) return { kind: 'vinyl', speed: Math.round((0.92 + rnd() * 0.16) * 1000) / 1000 };
  if (r < 0.25) return { kind: 'tempo', speed: Math.round((0.94 + rnd() * 0.12) * 1000) / 1000 };
  return MIX_VARIANTS[Math.floor(rnd() * MIX_VARIANTS.length)];
}

/**
 * A random mix of `segments` segments from the library recordings and outside music: 30–60 s (a third
 * exactly 30 s), crossfades 6–10 s (a third 10 s), every variant with the extreme speeds weighted, a fifth
 * of the library segments from the track's very beginning, a fifth of all segments outside the library.
 */
export function randomMix(seed: number, segments: number): { specs: SegmentSpec[]; crossfades: number[] } {
  const rnd = mulberry32(Math.imul(seed, 7919));
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  for (let s = 0; s < segments; s++) {
    // A third of the segments are as short as allowed, and a third of the crossfades as long.
    const len = rnd() < 0.33 ? 30 : 30 + Math.floor(rnd() * 31);
    crossfades.push(rnd() < 0.33 ? 10 : 6 + Math.floor(rnd() * 5));
    const r = rnd();
    if (r < 0.1) {
      specs.push({
        trackId: null,
        source: { file: OUTSIDE_LIBRARY },
        refStartSec: Math.floor(rnd() * 5),
        lengthSec: Math.min(len, 40),
        variant: { kind: 'clean' },
      });
    } else if (r < 0.2) {
      specs.push({
        trackId: null,
        source: { synthSeed: 900_000 + Math.floor(rnd() * 1e5) },
        refStartSec: 0,
        lengthSec: len,
        variant: { kind: 'clean' },
      });
    } else {
      let t = Math.floor(rnd() * LIBRARY.length);
      if (specs.length && specs[specs.length - 1].trackId === LIBRARY[t].id) t = (t + 1) % LIBRARY.length;
      const track = LIBRARY[t];
      const variant = randomVariant(rnd);
      const lengthSec = Math.min(len, Math.floor((track.durationSec - 3) / 1.1));
      // Sometimes from the very beginning of the track, as DJs often play it.
      const refStartSec = rnd() < 0.2 ? 0 : Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
      specs.push({ trackId: track.id, source: { file: track.file }, refStartSec, lengthSec, variant });
    }
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1) };
}

export interface MixScore {
  /** Library segments found with the right track and a start within the tolerance. */
  found: number;
  librarySegments: number;
  /** Timeline entries that name the track playing there. */
  correctEntries: number;
  entries: number;
  startErrorsSec: number[];
  /** Per truth segment: the entry matched to it (or null) and the start error. */
  details: { truth: TruthEntry; entry: TimelineEntry | null; startErrorSec: number | null }[];
}

/**
 * Scores a timeline against the truth: a library segment is found when an entry of the same track covers
 * most of it and starts within `toleranceSec`; an entry is correct when the truth has that track playing
 * for most of the entry.
 */
export function scoreTimeline(entries: TimelineEntry[], truth: TruthEntry[], toleranceSec = 2): MixScore {
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const details: MixScore['details'] = [];
  const startErrorsSec: number[] = [];
  let found = 0;
  let librarySegments = 0;
  for (const t of truth) {
    if (t.trackId === null) continue;
    librarySegments++;
    const candidates = entries
      .filter(
        (e) =>
          e.trackId === t.trackId &&
          overlap(e.startSec, e.endSec, t.startSec, t.endSec) > 0.5 * (t.endSec - t.startSec),
      )
      .sort((a, b) => Math.abs(a.startSec - t.startSec) - Math.abs(b.startSec - t.startSec));
    const e = candidates[0] ?? null;
    const err = e ? Math.abs(e.startSec - t.startSec) : null;
    if (e && err !== null) {
      startErrorsSec.push(err);
      if (err <= toleranceSec) found++;
    }
    details.push({ truth: t, entry: e, startErrorSec: err });
  }
  let correctEntries = 0;
  for (const e of entries) {
    const ok = truth.some(
      (t) =>
        t.trackId === e.trackId && overlap(e.startSec, e.endSec, t.startSec, t.endSec) > 0.5 * (e.endSec - e.startSec),
    );
    if (ok) correctEntries++;
  }
  return { found, librarySegments, correctEntries, entries: entries.length, startErrorsSec, details };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
