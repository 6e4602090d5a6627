/**
 * Front-end CPU (FFT + peak picking, issue 14 point 2), paired in one process: the frozen reference front-end
 * (test/support/reference-peaks.ts), PeakExtractor with the JavaScript FFT ({ simd: false }) and PeakExtractor
 * with the WebAssembly SIMD FFT (the default), in rotating order, on the 60-minute mix's PCM and on a long
 * recording's PCM (decoded once, before the timing). Peaks are compared field by field.
 *
 *   node -r @swc-node/register bench/fingerprint/front-end-speed.ts [--rounds=3]
 *     [--recording=/path/to/archive.mp3] [--skip-mix]
 *
 * Without --recording only the mix is measured. CPU is process.cpuUsage (all threads, GC helpers included).
 */
import { decodeMonoToArray } from '@crateflow/audio';
import { FINGERPRINT_SAMPLE_RATE, HOP_SIZE } from '../../libs/fingerprint/src/params';
import { PeakExtractor, type PeakList } from '../../libs/fingerprint/src/peaks';
import { simdFftAvailable } from '../../libs/fingerprint/src/fft-simd';
import { buildMix } from '../../libs/fingerprint/test/support/mixes';
import { ReferencePeakExtractor } from '../../libs/fingerprint/test/support/reference-peaks';
import { djMix } from './scale-queries';
import { loadAverage } from './process-cpu';

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
const RECORDING = args.find((a) => a.startsWith('--recording='))?.split('=')[1];

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

type Extractor = { push(c: Float32Array): void; finish(): PeakList };
const VARIANTS: { name: string; make: () => Extractor }[] = [
  { name: 'reference (v1 code)', make: () => new ReferencePeakExtractor() },
  { name: 'now, JS FFT', make: () => new PeakExtractor({}, { simd: false }) },
  { name: 'now, wasm SIMD FFT', make: () => new PeakExtractor() },
];

function run(make: () => Extractor, pcm: Float32Array): { cpu: number; peaks: PeakList } {
  const c0 = cpu();
  const e = make();
  for (let i = 0; i < pcm.length; i += FINGERPRINT_SAMPLE_RATE) {
    e.push(pcm.subarray(i, Math.min(pcm.length, i + FINGERPRINT_SAMPLE_RATE)));
  }
  const peaks = e.finish();
  return { cpu: cpu() - c0, peaks };
}

function samePeaks(a: PeakList, b: PeakList): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (
      !Object.is(a.time[i], b.time[i]) ||
      a.frame[i] !== b.frame[i] ||
      a.bin[i] !== b.bin[i] ||
      !Object.is(a.freq[i], b.freq[i]) ||
      !Object.is(a.score[i], b.score[i]) ||
      !Object.is(a.level[i], b.level[i])
    )
      return false;
  }
  return true;
}

function measure(label: string, pcm: Float32Array): void {
  const seconds = pcm.length / FINGERPRINT_SAMPLE_RATE;
  const frames = Math.ceil(pcm.length / HOP_SIZE);
  console.log(`\n== ${label}: ${(seconds / 3600).toFixed(2)} h of PCM, ${ROUNDS} rounds, order rotating`);
  const times = VARIANTS.map(() => [] as number[]);
  let first: PeakList | null = null;
  let identical = true;
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const v = (i + r) % VARIANTS.length;
      const res = run(VARIANTS[v].make, pcm);
      times[v].push(res.cpu);
      if (first === null) first = res.peaks;
      else identical &&= samePeaks(res.peaks, first);
    }
    console.log(`  round ${r + 1}: load ${loadAverage()}`);
  }
  const best = times.map((t) => Math.min(...t));
  VARIANTS.forEach((v, i) => {
    console.log(
      `  ${v.name.padEnd(20)} ${times[i].map((t) => t.toFixed(2)).join(', ')} CPU s; best ${best[i].toFixed(2)} ` +
        `= ${(seconds / best[i]).toFixed(0)}× realtime per CPU s, ${((best[i] / frames) * 1e6).toFixed(1)} µs per frame`,
    );
  });
  console.log(
    `  wasm against JS FFT: ${(best[1] / best[2]).toFixed(2)}× (−${(best[1] - best[2]).toFixed(2)} CPU s); ` +
      `against the reference: ${(best[0] / best[2]).toFixed(2)}×; peaks ${identical ? 'identical (every field)' : 'DIFFERENT'}; ` +
      `${first?.length ?? 0} peaks; load ${loadAverage()}`,
  );
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadAverage()}; WebAssembly SIMD: ${simdFftAvailable()}`);
  if (!args.includes('--skip-mix')) {
    const spec = djMix(60);
    const mix = await buildMix(spec.specs, spec.crossfades);
    measure("60-minute mix's PCM", mix.pcm);
  }
  if (RECORDING) {
    const pcm = await decodeMonoToArray(RECORDING, { sampleRate: FINGERPRINT_SAMPLE_RATE });
    measure(`${RECORDING}`, pcm);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
