/**
 * Writes generated test signals to disk, in a plain Node process: numeric loops run ~10× slower inside
 * Jest's module sandbox, so the spec files describe what they need and this script synthesises it.
 *
 *   node -r @swc-node/register libs/analysis/test/write-signals.ts '<json array of SignalSpec>'
 */
import { readFileSync } from 'node:fs';
import {
  type ChordOptions,
  type DrumOptions,
  SAMPLE_RATE,
  chordProgression,
  concat,
  drumPattern,
  mixTogether,
  writeWav,
} from './synth';
import { rng } from './synth';
import { writeArrangedTrack } from './generated-set';

export type SignalPart =
  | ({ kind: 'drums' } & DrumOptions)
  | ({ kind: 'chords' } & ChordOptions)
  | { kind: 'silence'; seconds: number }
  | { kind: 'noise'; seconds: number; dbfs: number; seed?: number };

export type SignalSpec =
  | {
      file: string;
      /** Parts played one after another; a part given as an array is mixed together. */
      parts: (SignalPart | SignalPart[])[];
      stereo?: boolean;
    }
  | { file: string; arranged: Parameters<typeof writeArrangedTrack>[1] };

function render(p: SignalPart): Float32Array {
  switch (p.kind) {
    case 'drums':
      return drumPattern(p);
    case 'chords':
      return chordProgression(p);
    case 'silence':
      return new Float32Array(Math.round(p.seconds * SAMPLE_RATE));
    case 'noise': {
      const out = new Float32Array(Math.round(p.seconds * SAMPLE_RATE));
      const r = rng(p.seed ?? 9);
      const amp = Math.pow(10, p.dbfs / 20) * Math.sqrt(3); // uniform noise RMS = amp/√3
      for (let i = 0; i < out.length; i++) out[i] = (r() * 2 - 1) * amp;
      return out;
    }
  }
}

export function writeSignals(specs: SignalSpec[]): void {
  for (const s of specs) {
    if ('arranged' in s) {
      writeArrangedTrack(s.file, s.arranged);
      continue;
    }
    const parts = s.parts.map((p) => (Array.isArray(p) ? p.map(render).reduce(mixTogether) : render(p)));
    writeWav(s.file, concat(...parts), SAMPLE_RATE, s.stereo ?? true);
  }
}

if (require.main === module) {
  const arg = process.argv[2];
  writeSignals(JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as SignalSpec[]);
}
