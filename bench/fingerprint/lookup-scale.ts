/**
 * Look-up work as the library grows (issue 14, point 2), in memory so that only the matcher and the
 * index's answer are measured: the real library songs plus --hours of generated tracks with the statistics of
 * real music (synthetic-index.ts), then a generated mix of --mix-minutes and 12-s excerpts, identified with
 * each look-up option given by --caps (postings per hash above which a hash is skipped; "none" = no stop-list),
 * in one process, alternating. Prints CPU seconds of our process, postings returned by the index, recall and
 * precision, and what a cap skips (share of the hashes and of the postings of the whole index).
 *
 *   node -r @swc-node/register bench/fingerprint/lookup-scale.ts --hours=100 --mix-minutes=10 --caps=none,auto
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  fingerprintFile,
  identifyExcerpt,
  identifyMix,
  MemoryFingerprintIndex,
  STRATEGIES,
  type FingerprintIndex,
  type LookupOptions,
  type LookupResult,
  type Strategy,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { withoutPopularHashes } from '../../libs/fingerprint/src/matcher';
import { PostingBuffer } from '../../libs/fingerprint/src/postings';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import {
  buildMix,
  mulberry32,
  renderSegment,
  scoreTimeline,
  type SegmentSpec,
  type Variant,
} from '../../libs/fingerprint/test/support/mixes';
import { generateTrack, measureMusicStatistics, trackDurations } from './synthetic-index';
import { loadAverage } from './process-cpu';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const HOURS = Number(opt('hours', '100'));
const MIX_MINUTES = Number(opt('mix-minutes', '10'));
const CAPS = opt('caps', 'none,auto').split(',');
const ROUNDS = Number(opt('rounds', '1'));
const SHARED_AUDIO = path.resolve(__dirname, '../../../shared/audio');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Counts what the index hands back. */
class CountingIndex {
  returned = 0;
  /** Left after the matcher's relative stop-list (LookupOptions.popularHashFactor). */
  kept = 0;
  asked = 0;
  constructor(private readonly inner: FingerprintIndex) {}
  async lookup(strategy: Strategy, hashes: Int32Array, options?: LookupOptions): Promise<LookupResult> {
    const r = await this.inner.lookup(strategy, hashes, options);
    this.returned += r.length;
    this.kept += withoutPopularHashes(r, hashes.length, options).length;
    this.asked += hashes.length;
    return r;
  }
  getTracks(ids: readonly number[]) {
    return this.inner.getTracks(ids);
  }
}

const VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'vinyl', speed: 1.06 },
  { kind: 'tempo', speed: 0.95 },
  { kind: 'noise', snrDb: 10 },
  { kind: 'key', semitones: 1 },
];

function mixSpec(minutes: number): { specs: SegmentSpec[]; crossfades: number[] } {
  const rnd = mulberry32(61);
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  let total = 0;
  for (let s = 0; total < minutes * 60; s++) {
    const len = 30 + Math.floor(rnd() * 31);
    const track = LIBRARY[s % LIBRARY.length];
    const lengthSec = Math.min(len, Math.floor((track.durationSec - 3) / 1.1));
    const refStartSec = Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
    specs.push({
      trackId: track.id,
      source: { file: track.file },
      refStartSec,
      lengthSec,
      variant: VARIANTS[s % 4],
    });
    const fade = 6 + Math.floor(rnd() * 5);
    crossfades.push(fade);
    total += lengthSec - fade;
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1) };
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadAverage()}`);
  const realFps: TrackFingerprint[] = [];
  for (const f of readdirSync(SHARED_AUDIO).filter((n) => n.endsWith('.ogg')))
    realFps.push(await fingerprintFile(path.join(SHARED_AUDIO, f)));
  const stats = measureMusicStatistics(realFps);
  const memory = new MemoryFingerprintIndex();
  for (const t of LIBRARY) {
    const fp = await fingerprintFile(t.file);
    for (const s of STRATEGIES) await memory.addPostings(s, t.id, fp[s]);
  }
  const g0 = cpu();
  const durations = trackDurations(HOURS, 10_000_000);
  const all: Record<Strategy, number[]> = { landmark: [], triplet: [] };
  let postings = 0;
  for (const [k, d] of durations.entries()) {
    for (const s of STRATEGIES) {
      const b = new PostingBuffer();
      generateTrack(stats, s, 10_000_000 + k, d, (h, t, a) => b.push(h, t, a, 0));
      await memory.addPostings(s, 10_000_000 + k, b.batch());
      for (let i = 0; i < b.length; i++) all[s].push(b.hash[i]);
      postings += b.length;
    }
  }
  console.log(
    `${HOURS} h generated in memory: ${durations.length} tracks, ${postings.toLocaleString('en')} postings (${(cpu() - g0).toFixed(0)} CPU s); load ${loadAverage()}`,
  );
  // What a cap skips, over the whole index: share of hashes and of postings on hashes above it.
  const counts: Record<Strategy, Int32Array> = { landmark: new Int32Array(0), triplet: new Int32Array(0) };
  for (const s of STRATEGIES) {
    const sorted = Int32Array.from(all[s]).sort();
    const c: number[] = [];
    for (let i = 0; i < sorted.length;) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[i]) j++;
      c.push(j - i);
      i = j;
    }
    counts[s] = Int32Array.from(c).sort().reverse();
    const mean = sorted.length / c.length;
    console.log(
      `  ${s}: ${c.length.toLocaleString('en')} distinct hashes, mean ${mean.toFixed(1)} postings per hash, max ${counts[s][0]}, 99th pct ${counts[s][Math.floor(c.length / 100)]}, 99.9th ${counts[s][Math.floor(c.length / 1000)]}`,
    );
    all[s] = [];
  }
  /** "none", an absolute cap ("200"), or a relative one ("x8": 8× the look-up's median, LookupOptions). */
  const capOf = (cap: string): LookupOptions =>
    cap === 'none'
      ? { popularHashFactor: 0 } // the library's default stop-list off
      : cap.startsWith('x')
        ? { popularHashFactor: Number(cap.slice(1)) }
        : { maxPostingsPerHash: Number(cap) };
  for (const cap of CAPS) {
    const lk = capOf(cap);
    if (!lk.maxPostingsPerHash) continue;
    const parts = STRATEGIES.map((s) => {
      const c = counts[s];
      let hashes = 0;
      let over = 0;
      let total = 0;
      for (let i = 0; i < c.length; i++) {
        total += c[i];
        if (c[i] > lk.maxPostingsPerHash!) {
          hashes++;
          over += c[i];
        }
      }
      return `${s} ${((100 * hashes) / c.length).toFixed(2)} % of hashes, ${((100 * over) / total).toFixed(1)} % of postings`;
    });
    console.log(`  cap ${cap}: skips ${parts.join('; ')}`);
  }

  const spec = mixSpec(MIX_MINUTES);
  const mix = await buildMix(spec.specs, spec.crossfades);
  const excerpts: { id: number; pcm: Float32Array }[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'cf-fplookupscale-'));
  for (const [i, t] of LIBRARY.entries())
    for (const variant of VARIANTS.slice(0, 3))
      excerpts.push({
        id: t.id,
        pcm: await renderSegment(
          { trackId: t.id, source: { file: t.file }, refStartSec: 10 + i * 7, lengthSec: 12, variant },
          work,
          i,
        ),
      });
  rmSync(work, { recursive: true, force: true });
  console.log(
    `mix ${(mix.durationSec / 60).toFixed(1)} min, ${spec.specs.length} segments; ${excerpts.length} excerpts`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const cap of CAPS) {
      const lookup = capOf(cap);
      const ix = new CountingIndex(memory);
      const c0 = cpu();
      const timeline = await identifyMix(ix as unknown as FingerprintIndex, mix.pcm, { lookup });
      const mixCpu = cpu() - c0;
      const score = scoreTimeline(timeline.entries, mix.truth, 2);
      const mixReturned = ix.returned;
      const mixKept = ix.kept;
      const e0 = cpu();
      let right = 0;
      for (const e of excerpts) {
        const [best] = await identifyExcerpt(ix as unknown as FingerprintIndex, e.pcm, { lookup });
        if (best?.trackId === e.id) right++;
      }
      const exCpu = (cpu() - e0) / excerpts.length;
      console.log(
        `cap ${cap.padEnd(6)} mix: ${mixCpu.toFixed(1)} CPU s (${(mix.durationSec / mixCpu) | 0}× realtime per CPU s), ${mixReturned.toLocaleString('en')} postings returned, ${mixKept.toLocaleString('en')} matched, recall ${score.found}/${score.librarySegments}, precision ${score.correctEntries}/${score.entries}; excerpts ${(exCpu * 1000).toFixed(0)} CPU ms each, ${right}/${excerpts.length} right; load ${loadAverage()}`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
