/**
 * The live-set cases of issue 14 (point 5), generated in code: a DJ software's key shift (pitch without tempo,
 * via ffmpeg's rubberband filter), a third deck layered at equal level, an MC talking over a track (a
 * synthesised voice: glottal pulses through moving vowel formants, syllables and phrases, consonant noise),
 * and a phone recording of the room (reverb, pink crowd noise, 150–5,500 Hz band, a compressor, 96 kbps MP3).
 * Deterministic for a seed; nothing is downloaded and no voice package is needed.
 */
import { decodeMonoToArray } from '@crateflow/audio';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FINGERPRINT_SAMPLE_RATE } from '../../src/params';
import { LIBRARY, OUTSIDE_LIBRARY } from './fixtures';
import { mulberry32, type SegmentSpec, type Variant } from './mixes';

const SR = FINGERPRINT_SAMPLE_RATE;

/** Writes mono float PCM at the fingerprint rate as a WAV file (IEEE float), for ffmpeg to read. */
export function writeWavFloat(file: string, pcm: Float32Array, sampleRate = SR): void {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20); // IEEE float
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(32, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/** Vowel formants (F1, F2, F3 in Hz) of a few vowels, as a shouting adult voice has them. */
const VOWELS: [number, number, number][] = [
  [800, 1300, 2600], // a
  [550, 1900, 2600], // e
  [320, 2300, 2900], // i
  [550, 950, 2500], // o
  [350, 900, 2400], // u
];

/** Two-pole resonator coefficients for a formant at `freq` with bandwidth `bw`. */
function resonator(freq: number, bw: number): [number, number] {
  const r = Math.exp((-Math.PI * bw) / SR);
  return [2 * r * Math.cos((2 * Math.PI * freq) / SR), -r * r];
}

/**
 * A voice talking in phrases (1.2–3 s, pauses of 0.4–1.2 s) of syllables (120–260 ms): a pulse train at a
 * raised, falling pitch (a shout: 170–260 Hz) through three vowel formants that change every syllable, with
 * short noise bursts for consonants. Returns `samples` samples, silent in the pauses.
 */
export function renderVoice(seed: number, samples: number): Float32Array {
  const rnd = mulberry32(seed ^ 0x5eed);
  const out = new Float32Array(samples);
  const states = [0, 0, 0, 0, 0, 0];
  let t = Math.floor((0.2 + rnd()) * SR);
  while (t < samples) {
    const phraseEnd = Math.min(samples, t + Math.floor((1.2 + rnd() * 1.8) * SR));
    const f0Start = 170 + rnd() * 90;
    const phraseStart = t;
    let phase = 0;
    while (t < phraseEnd) {
      const syl = Math.floor((0.12 + rnd() * 0.14) * SR);
      const [f1, f2, f3] = VOWELS[Math.floor(rnd() * VOWELS.length)];
      const coeffs = [resonator(f1, 90), resonator(f2, 110), resonator(f3, 150)];
      const consonant = rnd() < 0.6 ? Math.floor((0.02 + rnd() * 0.04) * SR) : 0;
      for (let k = 0; k < syl && t < phraseEnd; k++, t++) {
        let x: number;
        if (k < consonant) {
          x = (rnd() - 0.5) * 0.6; // fricative / plosive noise
        } else {
          // Pitch falls over the phrase and wobbles a little (a shout is not a steady tone).
          const progress = (t - phraseStart) / Math.max(1, phraseEnd - phraseStart);
          const f0 = f0Start * (1 - 0.18 * progress) * (1 + 0.02 * Math.sin((2 * Math.PI * 5 * t) / SR));
          phase += f0 / SR;
          x = 0;
          if (phase >= 1) {
            phase -= 1;
            x = 1;
          }
          const env = Math.sin((Math.PI * (k - consonant)) / Math.max(1, syl - consonant));
          x *= 0.3 + 0.7 * env;
        }
        // Cascade of the three formants.
        for (let f = 0; f < 3; f++) {
          const [a1, a2] = coeffs[f];
          const y = x + a1 * states[2 * f] + a2 * states[2 * f + 1];
          states[2 * f + 1] = states[2 * f];
          states[2 * f] = y;
          x = y * 0.2;
        }
        out[t] = x;
      }
    }
    t = phraseEnd + Math.floor((0.4 + rnd() * 0.8) * SR);
  }
  return out;
}

function rmsOf(pcm: Float32Array, onlyNonZero = false): number {
  let p = 0;
  let n = 0;
  for (let i = 0; i < pcm.length; i++) {
    if (onlyNonZero && pcm[i] === 0) continue;
    p += pcm[i] * pcm[i];
    n++;
  }
  return Math.sqrt(p / Math.max(1, n));
}

/** Adds a voice to `pcm` (from 3 s in, to 3 s before the end) at `gainDb` against the music while talking. */
export function addVoice(pcm: Float32Array, seed: number, gainDb: number): void {
  const from = 3 * SR;
  const len = pcm.length - 6 * SR;
  if (len <= 0) return;
  const voice = renderVoice(seed, len);
  const g = (rmsOf(pcm) * 10 ** (gainDb / 20)) / Math.max(1e-9, rmsOf(voice, true));
  for (let k = 0; k < len; k++) pcm[from + k] += g * voice[k];
}

/**
 * A room's impulse response: the direct sound, a few early reflections (8–40 ms), then a dense tail of
 * exponentially decaying noise (RT60 `rt60` s) carrying as much energy as the direct sound (a phone a few
 * metres from the speakers). A dense tail, as a real room has, rather than a few recirculating delays, whose
 * coarse comb ripple no room shows.
 */
function roomImpulse(rt60: number, seed: number): Float32Array {
  const rnd = mulberry32(seed ^ 0x2007);
  const ir = new Float32Array(Math.round(rt60 * 1.2 * SR));
  ir[0] = 1;
  for (let k = 0; k < 6; k++)
    ir[Math.round((0.008 + rnd() * 0.032) * SR)] += (rnd() < 0.5 ? -1 : 1) * (0.3 + rnd() * 0.3);
  const tail = new Float32Array(ir.length);
  let energy = 0;
  for (let i = Math.round(0.005 * SR); i < ir.length; i++) {
    const u = rnd() || 1e-12;
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    tail[i] = g * Math.exp((-6.91 * i) / (rt60 * SR));
    energy += tail[i] * tail[i];
  }
  const scale = 1 / Math.sqrt(energy);
  for (let i = 0; i < ir.length; i++) ir[i] += scale * tail[i];
  return ir;
}

/** The recording convolved with a room (ffmpeg's afir), at the input's RMS. */
async function roomReverb(pcm: Float32Array, rt60: number, workDir: string, seed: number): Promise<Float32Array> {
  const dry = path.join(workDir, 'dry.wav');
  const ir = path.join(workDir, 'ir.wav');
  const wet = path.join(workDir, 'wet.wav');
  writeWavFloat(dry, pcm);
  writeWavFloat(ir, roomImpulse(rt60, seed));
  execFileSync('ffmpeg', [
    '-y',
    '-v',
    'error',
    '-i',
    dry,
    '-i',
    ir,
    '-filter_complex',
    '[0][1]afir=gtype=none:dry=1:wet=1',
    '-c:a',
    'pcm_f32le',
    wet,
  ]);
  const out = new Float32Array(pcm.length);
  out.set((await decodeMonoToArray(wet, { sampleRate: SR })).subarray(0, pcm.length));
  const g = rmsOf(pcm) / Math.max(1e-9, rmsOf(out));
  for (let i = 0; i < out.length; i++) out[i] *= g;
  return out;
}

/** Adds pink noise (Kellet's filter over white noise) at `snrDb` below the signal's mean power. */
function addPinkNoise(pcm: Float32Array, snrDb: number, seed: number): void {
  const rnd = mulberry32(seed);
  const noise = new Float32Array(pcm.length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < pcm.length; i++) {
    const w = rnd() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    noise[i] = b0 + b1 + b2 + w * 0.1848;
  }
  const g = (rmsOf(pcm) * 10 ** (-snrDb / 20)) / Math.max(1e-9, rmsOf(noise));
  for (let i = 0; i < pcm.length; i++) pcm[i] += g * noise[i];
}

/**
 * A phone recording of the mix playing in a room: reverb, pink crowd noise at 15 dB SNR, then (ffmpeg) the
 * phone's band of 150–5,500 Hz, its compressor, and a 96 kbps MP3 at 44.1 kHz; decoded back to the
 * fingerprint rate, exactly as long as the input.
 */
export interface PhoneChain {
  /** Room reverb time (RT60), seconds; 0: none. Default 0.7. */
  reverbSec?: number;
  /** Pink noise this far below the music, dB; null: none. Default 15. */
  noiseSnrDb?: number | null;
  /** The phone's band and compressor. Default true. */
  bandAndCompressor?: boolean;
  /** MP3 bit rate, kbps; 0: none. Default 96. */
  mp3Kbps?: number;
}

export async function phoneRecording(
  pcm: Float32Array,
  workDir: string,
  seed = 7,
  chain: PhoneChain = {},
): Promise<Float32Array> {
  const reverbSec = chain.reverbSec ?? 0.7;
  const room = reverbSec > 0 ? await roomReverb(pcm, reverbSec, workDir, seed) : Float32Array.from(pcm);
  const snr = chain.noiseSnrDb === undefined ? 15 : chain.noiseSnrDb;
  if (snr !== null) addPinkNoise(room, snr, seed);
  const wav = path.join(workDir, 'room.wav');
  const kbps = chain.mp3Kbps ?? 96;
  const recorded = path.join(workDir, kbps > 0 ? 'phone.mp3' : 'phone.wav');
  writeWavFloat(wav, room);
  const filters = ['aresample=44100'];
  if (chain.bandAndCompressor ?? true)
    filters.push(
      'highpass=f=150,highpass=f=150,lowpass=f=5500,lowpass=f=5500',
      'acompressor=threshold=0.06:ratio=6:attack=5:release=150:makeup=3',
    );
  execFileSync('ffmpeg', [
    '-y',
    '-v',
    'error',
    '-i',
    wav,
    '-af',
    filters.join(','),
    '-ac',
    '1',
    ...(kbps > 0 ? ['-c:a', 'libmp3lame', '-b:a', `${kbps}k`] : []),
    recorded,
  ]);
  const decoded = await decodeMonoToArray(recorded, { sampleRate: SR });
  const out = new Float32Array(pcm.length);
  out.set(decoded.subarray(0, pcm.length));
  return out;
}

export interface LiveSetSpec {
  specs: SegmentSpec[];
  crossfades: number[];
  phone: boolean;
}

const KEY_SHIFTS = [1, -1, 2, -2];
const PLAIN_VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'bass' },
  { kind: 'mp3' },
  { kind: 'vinyl', speed: 1.03 },
  { kind: 'tempo', speed: 0.97 },
];

/**
 * A live set like the one of issue 14: six library tracks and one stretch of music outside the library,
 * 40–55 s each with 6–10 s crossfades; one track key-shifted (±1 or ±2 semitones by seed, tempo unchanged),
 * one under an MC's voice, one with a third deck (another library track) layered at equal level for 15–30 s.
 * `synthLibrary` are ids of indexed synthetic tracks (seed = id) that may play besides the shared recordings.
 * With `phone` the whole set is heard through a phone in the room.
 */
export function liveSetMix(seed: number, synthLibrary: number[], phone: boolean): LiveSetSpec {
  const rnd = mulberry32(Math.imul(seed, 104729) ^ 0x11ee);
  const pool: { id: number; source: SegmentSpec['source']; durationSec: number }[] = [
    ...LIBRARY.map((t) => ({ id: t.id as number, source: { file: t.file }, durationSec: t.durationSec as number })),
    ...synthLibrary.map((id) => ({ id, source: { synthSeed: id }, durationSec: 600 })),
  ];
  const roles = ['key', 'mc', 'layer', 'plain', 'plain', 'plain', 'outside'];
  for (let i = roles.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [roles[i], roles[j]] = [roles[j], roles[i]];
  }
  const used = new Set<number>();
  const pick = (realOnly: boolean) => {
    const from = pool.filter((p) => !used.has(p.id) && (!realOnly || p.id < 1000));
    const p = from[Math.floor(rnd() * from.length)] ?? pool[Math.floor(rnd() * pool.length)];
    used.add(p.id);
    return p;
  };
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  for (const role of roles) {
    crossfades.push(6 + Math.floor(rnd() * 5));
    if (role === 'outside') {
      specs.push({
        trackId: null,
        source: { file: OUTSIDE_LIBRARY },
        refStartSec: Math.floor(rnd() * 10),
        lengthSec: 40,
        variant: { kind: 'clean' },
      });
      continue;
    }
    // The key-shifted track is real music (a tone sequence has no timbre for the shift to smear).
    const track = pick(role === 'key');
    const lengthSec = Math.min(40 + Math.floor(rnd() * 16), Math.floor((track.durationSec - 3) / 1.1));
    const refStartSec = Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
    const variant: Variant =
      role === 'key'
        ? { kind: 'key', semitones: KEY_SHIFTS[seed % KEY_SHIFTS.length] }
        : role === 'plain'
          ? PLAIN_VARIANTS[Math.floor(rnd() * PLAIN_VARIANTS.length)]
          : { kind: 'clean' };
    const spec: SegmentSpec = { trackId: track.id, source: track.source, refStartSec, lengthSec, variant };
    if (role === 'mc') spec.voiceOver = { seed: seed * 31 + specs.length, gainDb: -3 + rnd() * 6 };
    if (role === 'layer') {
      const other = pick(false);
      const layerSec = Math.min(15 + Math.floor(rnd() * 16), lengthSec - 16);
      spec.lengthSec = Math.max(lengthSec, layerSec + 16);
      spec.layer = {
        trackId: other.id,
        source: other.source,
        refStartSec: Math.floor(rnd() * Math.max(1, other.durationSec - layerSec - 2)),
        atSec: 8 + Math.floor(rnd() * Math.max(1, spec.lengthSec - layerSec - 16)),
        lengthSec: layerSec,
      };
    }
    specs.push(spec);
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1), phone };
}
