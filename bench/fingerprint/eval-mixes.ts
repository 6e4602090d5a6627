/**
 * Quick mix-identification evaluation: builds many random DJ mixes (different seeds, every variant, extreme
 * speeds, short segments beside long crossfades, music outside the library) and lists every library segment
 * that was not identified with its start within ±2 s, with the reason, plus every phantom entry.
 *
 *   node -r @swc-node/register bench/fingerprint/eval-mixes.ts [--mixes=20] [--seed=1] [--segments=10] [--synth-hours=2]
 *     [--triplet-fan-out=4] [--live-sets=8] [--live-seed=1] [--key-cost-mixes=3] [--verbose]
 *
 * Then the live sets of issue 14 (support/live-set.ts), printed on their own lines: a key shift of ±1 or ±2
 * semitones without tempo change, an MC over a track, a third deck layered at equal level for 15–30 s, and
 * (seeds 5–8 of every 8) the whole set heard through a phone in the room. `--live-sets=0` skips them,
 * `--live-seed` is the first seed. Each live set's key-shifted track is also in the library inside another,
 * short recorded set (identified as a mix first, then indexed): the live set matches that file exactly — or
 * an earlier set's recording of the same passage — and resolveNestedMixes must name the track instead, with
 * the timelines of all recorded sets known (as the service resolves) and the live set's shadowed entries.
 * Before them, the cost of the key-shift search: the first `--key-cost-mixes` mixes identified with it off and
 * on, alternating (a ratio measured in the same run).
 *
 * The library is the three shared recordings plus `--synth-hours` of synthetic tracks (chance collisions as
 * in a real library); nothing touches PostgreSQL. A segment's reference start is the crossfade midpoint (the
 * point of equal presence of a level-matched crossfade; 0 for the first segment).
 */
import {
  DEFAULT_SPEED_RANGE,
  identifyMix,
  indexTrack,
  resolveNestedMixes,
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
import { liveSetMix } from '../../libs/fingerprint/test/support/live-set';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const MIXES = arg('mixes', 20);
const SEED = arg('seed', 1);
const SEGMENTS = arg('segments', 10);
const SYNTH_HOURS = arg('synth-hours', 2);
const VERBOSE = args.includes('--verbose');
/**
 * The matcher's relative stop-list (LookupOptions.popularHashFactor): --stop-list=none turns the default off,
 * --stop-list=x4 sets another factor (issue 14: recall before and after).
 */
const STOP_LIST = args.find((a) => a.startsWith('--stop-list='))?.split('=')[1];
const LOOKUP =
  STOP_LIST === undefined ? undefined : { popularHashFactor: STOP_LIST === 'none' ? 0 : Number(STOP_LIST.slice(1)) };
const LIVE_SETS = arg('live-sets', 8);
const LIVE_SEED = arg('live-seed', 1);
const KEY_COST_MIXES = arg('key-cost-mixes', 3);
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
    const timeline = await identifyMix(index, mix.pcm, { queryFanOut: { triplet: TRIPLET_FAN_OUT }, lookup: LOOKUP });
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
  if (KEY_COST_MIXES > 0) await keySearchCost(index);
  if (LIVE_SETS > 0) await liveSets(index, synthTracks);
}

/**
 * What the key-shift search costs: the same mixes identified with it off (`keySemitones: 0`, the matcher as
 * it was) and on (the default), alternating so both see the same load; the ratio is what to read.
 */
async function keySearchCost(index: MemoryFingerprintIndex): Promise<void> {
  const off = { ...DEFAULT_SPEED_RANGE, keySemitones: 0 };
  const time = { off: 0, on: 0 };
  let sec = 0;
  for (let m = 0; m < KEY_COST_MIXES; m++) {
    const { specs, crossfades } = randomMix(SEED + m, SEGMENTS);
    const mix = await buildMix(specs, crossfades);
    for (let round = 0; round < 2; round++) {
      for (const which of round ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const t0 = performance.now();
        await identifyMix(index, mix.pcm, { speeds: which === 'off' ? off : undefined, lookup: LOOKUP });
        time[which] += (performance.now() - t0) / 1000;
      }
    }
    sec += 2 * mix.durationSec;
  }
  console.log(
    `key-shift search cost (${KEY_COST_MIXES} mixes × 2, alternating): without ${(sec / time.off).toFixed(0)}× realtime, with ${(sec / time.on).toFixed(0)}× realtime: ${(time.on / time.off).toFixed(2)}× the time`,
  );
}

/**
 * The live-set cases (issue 14, point 5): per condition, library segments found (start within ±2 s) and
 * entries naming the track that plays there.
 */
async function liveSets(index: MemoryFingerprintIndex, synthTracks: number): Promise<void> {
  const synthIds = Array.from({ length: synthTracks }, (_, i) => 1_000_000 + i);
  /** Per condition: [start within ±2 s, identified at all (an entry of the track covers most of it), segments]. */
  const perTag = new Map<string, [number, number, number]>();
  const count = (tag: string, ok: boolean, identified: boolean) => {
    const v = perTag.get(tag) ?? [0, 0, 0];
    v[2]++;
    if (ok) v[0]++;
    if (identified) v[1]++;
    perTag.set(tag, v);
  };
  /** Per condition: entries naming the track that plays there, entries (each under the segment it covers most). */
  const precisionPerTag = new Map<string, [number, number]>();
  const conditionsOf = (t: TruthEntry) => {
    const tags = t.tags ?? [];
    const c = [...(t.variant.kind === 'key' ? [variantName(t.variant)] : []), ...tags.filter((x) => x !== 'phone')];
    return [
      ...(c.length ? c : [t.trackId === null ? 'outside' : 'plain']),
      ...(tags.includes('phone') ? ['phone (all segments)'] : []),
    ];
  };
  let identified = 0;
  let found = 0;
  let segments = 0;
  let correct = 0;
  let entries = 0;
  let identifySec = 0;
  let mixSec = 0;
  console.log(
    `\nlive sets (issue 14): ${LIVE_SETS}, seeds ${LIVE_SEED}–${LIVE_SEED + LIVE_SETS - 1}, seeds 5–8 of every 8 through a phone in the room`,
  );
  // Every recorded set indexed so far is a library recording with a known timeline (as the service resolves
  // with the newest timeline of each matched recording): a later set that plays the same key-shifted
  // passage matches the earlier recording just as well.
  const recordedSets = new Map<number, TimelineEntry[]>();
  for (let s = LIVE_SEED; s < LIVE_SEED + LIVE_SETS; s++) {
    const phone = Math.floor((s - 1) / 4) % 2 === 1;
    const { specs, crossfades } = liveSetMix(s, synthIds, phone);
    // Another recorded set in the library holds the key-shifted track as this set plays it (synthetic music
    // outside the library, then that track): identified first like any mix, then indexed as a short file.
    const keySpec = specs.find((x) => x.variant.kind === 'key')!;
    const recordedSet = await buildMix(
      [
        {
          trackId: null,
          source: { synthSeed: 950_000 + s },
          refStartSec: 0,
          lengthSec: 30,
          variant: { kind: 'clean' },
        },
        { ...keySpec, voiceOver: undefined, layer: undefined },
      ],
      [6],
    );
    const setId = 3_000_000 + s;
    const setTimeline = await identifyMix(index, recordedSet.pcm, { lookup: LOOKUP });
    const recordedEntries = resolveNestedMixes(setTimeline.entries, (id) => recordedSets.get(id), {
      shadowed: setTimeline.shadowed,
    });
    await indexTrack(index, setId, await fingerprintPcm(recordedSet.pcm));
    recordedSets.set(setId, recordedEntries);
    const mix = await buildMix(specs, crossfades, { phone });
    const t0 = performance.now();
    const found0 = await identifyMix(index, mix.pcm, { queryFanOut: { triplet: TRIPLET_FAN_OUT }, lookup: LOOKUP });
    const timeline = {
      ...found0,
      entries: resolveNestedMixes(found0.entries, (id) => recordedSets.get(id), { shadowed: found0.shadowed }),
    };
    identifySec += (performance.now() - t0) / 1000;
    const nestedUsed = timeline.entries.filter((e) => e.via && recordedSets.has(e.via.trackId)).length;
    if (found0.entries.some((e) => recordedSets.has(e.trackId)))
      count('via a recorded set', nestedUsed > 0, nestedUsed > 0);
    mixSec += mix.durationSec;
    const score = scoreTimeline(timeline.entries, mix.truth, 2);
    found += score.found;
    segments += score.librarySegments;
    correct += score.correctEntries;
    entries += score.entries;
    const lines: string[] = [];
    for (const d of score.details) {
      const ok = d.startErrorSec !== null && d.startErrorSec <= 2;
      const tags = d.truth.tags ?? [];
      const conditions = [
        ...(d.truth.variant.kind === 'key' ? [variantName(d.truth.variant)] : []),
        ...tags.filter((t) => t !== 'phone'),
      ];
      for (const c of conditions.length ? conditions : ['plain']) count(c, ok, d.entry !== null);
      if (tags.includes('phone')) count('phone (all segments)', ok, d.entry !== null);
      if (d.entry) identified++;
      if (!ok)
        lines.push(
          `  MISS ${describe(d.truth)} [${[...conditions, ...tags.filter((t) => t === 'phone')].join(', ')}]${d.entry ? ` → ${entryText(d.entry)}` : ''}`,
        );
    }
    for (const e of timeline.entries) {
      const ok = mix.truth.some(
        (t) =>
          t.trackId === e.trackId &&
          Math.min(e.endSec, t.endSec) - Math.max(e.startSec, t.startSec) > 0.5 * (e.endSec - e.startSec),
      );
      if (!ok) lines.push(`  PHANTOM ${entryText(e)}`);
      const overlap = (t: TruthEntry) => Math.min(e.endSec, t.endSec) - Math.max(e.startSec, t.startSec);
      const same = mix.truth.filter((t) => t.trackId === e.trackId);
      const where = (ok ? same : mix.truth).reduce((a, b) => (overlap(b) > overlap(a) ? b : a));
      for (const c of conditionsOf(where)) {
        const v = precisionPerTag.get(c) ?? [0, 0];
        v[1]++;
        if (ok) v[0]++;
        precisionPerTag.set(c, v);
      }
    }
    console.log(
      `live set ${s}${phone ? ' (phone)' : ''}: ${(mix.durationSec / 60).toFixed(1)} min, ${score.found}/${score.librarySegments} found, ${score.correctEntries}/${score.entries} entries correct`,
    );
    if (VERBOSE) {
      for (const t of mix.truth)
        console.log(
          `    truth ${t.trackId === null ? `outside ${t.startSec.toFixed(1)}–${t.endSec.toFixed(1)}` : describe(t)} ${(t.tags ?? []).join(',')}`,
        );
      for (const e of timeline.entries) console.log(`    entry ${entryText(e)}`);
    }
    for (const l of lines) console.log(l);
  }
  const order = [
    'key+1',
    'key-1',
    'key+2',
    'key-2',
    'layer',
    'under-layer',
    'mc',
    'plain',
    'outside',
    'phone (all segments)',
    'via a recorded set',
  ];
  const tags = new Set([...perTag.keys(), ...precisionPerTag.keys()]);
  for (const tag of [...tags].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    const [a, i, b] = perTag.get(tag) ?? [0, 0, 0];
    const [c, n] = precisionPerTag.get(tag) ?? [0, 0];
    console.log(
      `live sets, ${tag.padEnd(21)} ${b ? `${a}/${b} found (start ±2 s), ${i}/${b} identified` : ''}${n ? `${b ? ', ' : ''}precision ${c}/${n}` : ''}`,
    );
  }
  console.log(
    `live sets: recall ${found}/${segments} = ${((100 * found) / Math.max(1, segments)).toFixed(1)} % (start ±2 s); identified ${identified}/${segments} = ${((100 * identified) / Math.max(1, segments)).toFixed(1)} %`,
  );
  console.log(`live sets: precision ${correct}/${entries} = ${((100 * correct) / Math.max(1, entries)).toFixed(1)} %`);
  console.log(
    `live sets: identification ${identifySec.toFixed(1)} s for ${(mixSec / 60).toFixed(0)} min (${(mixSec / identifySec).toFixed(0)}× realtime)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
