/**
 * Quick mix-identification evaluation: builds many random DJ mixes (different seeds, every variant, extreme
 * speeds, short segments beside long crossfades, music outside the library) and lists every library segment
 * that was not identified with its start within ±2 s, with the reason, plus every phantom entry.
 *
 *   node -r @swc-node/register bench/fingerprint/eval-mixes.ts [--mixes=20] [--seed=1] [--segments=10] [--synth-hours=2]
 *     [--triplet-fan-out=4] [--verbose]
 *
 * The library is the three shared recordings plus `--synth-hours` of synthetic tracks (chance collisions as
 * in a real library); nothing touches PostgreSQL. A segment's reference start is the crossfade midpoint (the
 * point of equal presence of a level-matched crossfade; 0 for the first segment).
 */
import {
  identifyMix,
  indexTrack,
  fingerprintFile,
  fingerprintPcm,
  MemoryFingerprintIndex,
  type TimelineEntry,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import {
  buildMix,
  median,
  randomMix,
  scoreTimeline,
  type TruthEntry,
  variantName,
} from '../../libs/fingerprint/test/support/mixes';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const MIXES = arg('mixes', 20);
const SEED = arg('seed', 1);
const SEGMENTS = arg('segments', 10);
const SYNTH_HOURS = arg('synth-hours', 2);
const VERBOSE = args.includes('--verbose');
/** Triplet partner candidates of the mix query (MixOptions.queryFanOut; the default is DEFAULT_MIX_FAN_OUT). */
const TRIPLET_FAN_OUT = args.some((a) => a.startsWith('--triplet-fan-out=')) ? arg('triplet-fan-out', 3) : undefined;

function describe(t: TruthEntry): string {
  return `track ${t.trackId} ${variantName(t.variant).padEnd(12)} ${t.startSec.toFixed(1).padStart(6)}–${t.endSec.toFixed(1).padEnd(6)} (${(t.endSec - t.startSec).toFixed(0)} s, from ${t.refStartSec.toFixed(1)} s, louder from ${t.dominantSec.toFixed(1)})`;
}

function entryText(e: TimelineEntry): string {
  return `track ${e.trackId} ${e.startSec.toFixed(1)}–${e.endSec.toFixed(1)} speed ${e.speed.toFixed(3)} ${e.mode} conf ${e.confidence.toFixed(2)} score ${e.score}`;
}

async function main(): Promise<void> {
  const index = new MemoryFingerprintIndex();
  for (const t of LIBRARY) await indexTrack(index, t.id, await fingerprintFile(t.file));
  const synthTracks = Math.round((SYNTH_HOURS * 3600) / 600);
  for (let i = 0; i < synthTracks; i++)
    await indexTrack(index, 1_000_000 + i, await fingerprintPcm(synthChunks(1_000_000 + i, 600, 20)));
  console.log(
    `library: ${LIBRARY.length} recordings + ${SYNTH_HOURS} h synthetic; ${MIXES} mixes of ${SEGMENTS} segments from seed ${SEED}`,
  );

  let found = 0;
  let foundByLevel = 0;
  let foundEither = 0;
  const errorsByLevel: number[] = [];
  let librarySegments = 0;
  let correct = 0;
  let entries = 0;
  let identifySec = 0;
  let mixSec = 0;
  const errors: number[] = [];
  const reasons = new Map<string, number>();
  const perVariant = new Map<string, [number, number]>();
  for (let m = 0; m < MIXES; m++) {
    const seed = SEED + m;
    const { specs, crossfades } = randomMix(seed, SEGMENTS);
    const mix = await buildMix(specs, crossfades);
    const t0 = performance.now();
    const timeline = await identifyMix(index, mix.pcm, { queryFanOut: { triplet: TRIPLET_FAN_OUT } });
    identifySec += (performance.now() - t0) / 1000;
    mixSec += mix.durationSec;
    const score = scoreTimeline(timeline.entries, mix.truth, 2);
    const dbg = (globalThis as unknown as { fpDebug?: Record<string, number | boolean>[] }).fpDebug ?? [];
    for (const d of dbg) {
      let best: number | null = null;
      for (let i = 1; i < mix.truth.length; i++) {
        if (mix.truth[i - 1].trackId !== d.a || mix.truth[i].trackId !== d.b) continue;
        if (best === null || Math.abs(mix.truth[i].startSec - (d.aEnd as number)) < Math.abs(best - (d.aEnd as number)))
          best = mix.truth[i].startSec;
      }
      if (best !== null)
        console.log(
          `XF ${(d.aEnd as number) - best} ${d.aSeen} ${(d.bStart as number) - best} ${d.bSeen} ${d.overlap} ${(d.aLast as number) - best} ${(d.bFirst as number) - best}`,
        );
    }
    dbg.length = 0;
    found += score.found;
    const byLevel = scoreTimeline(
      timeline.entries,
      mix.truth.map((t) => ({ ...t, startSec: t.dominantSec })),
      2,
    );
    foundByLevel += byLevel.found;
    errorsByLevel.push(...byLevel.startErrorsSec);
    foundEither += score.details.filter(
      (d, k) => (d.startErrorSec ?? Infinity) <= 2 || (byLevel.details[k].startErrorSec ?? Infinity) <= 2,
    ).length;
    librarySegments += score.librarySegments;
    correct += score.correctEntries;
    entries += score.entries;
    errors.push(...score.startErrorsSec);
    const lines: string[] = [];
    for (const d of score.details) {
      const k = variantName(d.truth.variant).replace(/[+-][\d.]+%/, (s) =>
        Math.abs(parseFloat(s)) >= 5.9 ? 'extreme' : 'mid',
      );
      const v = perVariant.get(k) ?? [0, 0];
      v[1]++;
      const ok = d.startErrorSec !== null && d.startErrorSec <= 2;
      if (ok) v[0]++;
      perVariant.set(k, v);
      if (ok) continue;
      const i = mix.truth.indexOf(d.truth);
      const fadeIn = i > 0 ? crossfades[i - 1] : 0;
      let reason: string;
      if (!d.entry) {
        const any = timeline.entries.filter(
          (e) => e.trackId === d.truth.trackId && e.endSec > d.truth.startSec && e.startSec < d.truth.endSec,
        );
        reason = any.length ? 'covered < 50 %' : 'not found';
        if (any.length) reason += ` (${any.map(entryText).join('; ')})`;
      } else {
        const err = d.entry.startSec - d.truth.startSec;
        reason = `start ${err > 0 ? 'late' : 'early'} by ${Math.abs(err).toFixed(1)} s (fade-in ${fadeIn} s) → ${entryText(d.entry)}`;
      }
      reasons.set(
        reason.split(' ')[0] + ' ' + reason.split(' ')[1],
        (reasons.get(reason.split(' ')[0] + ' ' + reason.split(' ')[1]) ?? 0) + 1,
      );
      lines.push(
        `  MISS ${describe(d.truth)} prev ${i > 0 ? (mix.truth[i - 1].trackId ?? 'outside') : '—'}: ${reason}`,
      );
    }
    for (const e of timeline.entries) {
      const ok = mix.truth.some(
        (t) =>
          t.trackId === e.trackId &&
          Math.min(e.endSec, t.endSec) - Math.max(e.startSec, t.startSec) > 0.5 * (e.endSec - e.startSec),
      );
      if (!ok) lines.push(`  PHANTOM ${entryText(e)}`);
    }
    console.log(
      `mix seed ${seed}: ${(mix.durationSec / 60).toFixed(1)} min, ${score.found}/${score.librarySegments} found, ${score.correctEntries}/${score.entries} entries correct`,
    );
    if (VERBOSE) {
      for (const t of mix.truth)
        console.log(
          `    truth ${t.trackId === null ? 'outside' : describe(t)}${t.trackId === null ? ` ${t.startSec.toFixed(1)}–${t.endSec.toFixed(1)}` : ''}`,
        );
      for (const e of timeline.entries) console.log(`    entry ${entryText(e)}`);
    }
    for (const l of lines) console.log(l);
  }
  const sorted = [...errors].sort((a, b) => a - b);
  console.log(
    `\nrecall (start within ±2 s): ${found}/${librarySegments} = ${((100 * found) / librarySegments).toFixed(1)} %`,
  );
  const sortedByLevel = [...errorsByLevel].sort((a, b) => a - b);
  console.log(
    `recall against the loudness crossing: ${foundByLevel}/${librarySegments} = ${((100 * foundByLevel) / librarySegments).toFixed(1)} %, median error ${median(errorsByLevel).toFixed(2)} s, max ${sortedByLevel[sortedByLevel.length - 1]?.toFixed(2)} s; against either: ${foundEither}/${librarySegments}`,
  );
  console.log(`precision: ${correct}/${entries} = ${((100 * correct) / Math.max(1, entries)).toFixed(1)} %`);
  console.log(
    `start error: median ${median(errors).toFixed(2)} s, 90th percentile ${sorted[Math.floor(0.9 * (sorted.length - 1))]?.toFixed(2)} s, max ${sorted[sorted.length - 1]?.toFixed(2)} s`,
  );
  console.log(`misses by reason: ${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  console.log(`per variant: ${[...perVariant].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(', ')}`);
  console.log(
    `identification: ${identifySec.toFixed(1)} s for ${(mixSec / 60).toFixed(0)} min of mixes (${(mixSec / identifySec).toFixed(0)}× realtime)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
