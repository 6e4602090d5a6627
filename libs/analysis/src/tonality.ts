import { keyNames, pitchClassOf } from './notation';
import type { KeyMeasurement, Measured, MixSummary, Scale } from './types';

/**
 * Key of a file from its windows. Each window's KeyExtractor answer votes with its length × strength, so
 * a confident key over most of the track wins over a short ambiguous bridge; for a mix the same votes by
 * time give the key covering most time.
 */

export interface KeyVote {
  key: string;
  scale: Scale;
  strength: number;
  durationSec: number;
}

/** KeyExtractor profile chosen by measurement on the generated set (bench/analysis prints the comparison). */
export const DEFAULT_KEY_PROFILE = 'krumhansl';

export function aggregateKey(votes: KeyVote[], profile: string): Measured<KeyMeasurement> {
  const usable = votes.filter(
    (v) => pitchClassOf(v.key) !== undefined && v.durationSec > 0 && Number.isFinite(v.strength),
  );
  if (!usable.length) return { measurable: false, reason: 'no window had a measurable key' };
  const tally = new Map<
    string,
    { pc: number; scale: Scale; weight: number; seconds: number; strengthSum: number; n: number }
  >();
  let totalSec = 0;
  for (const v of usable) {
    const pc = pitchClassOf(v.key)!;
    const id = `${pc}:${v.scale}`;
    const t = tally.get(id) ?? { pc, scale: v.scale, weight: 0, seconds: 0, strengthSum: 0, n: 0 };
    t.weight += v.durationSec * Math.max(0.05, v.strength);
    t.seconds += v.durationSec;
    t.strengthSum += v.strength;
    t.n++;
    tally.set(id, t);
    totalSec += v.durationSec;
  }
  const best = [...tally.values()].sort((a, b) => b.weight - a.weight)[0];
  const names = keyNames(best.pc, best.scale);
  const strength = best.strengthSum / best.n;
  if (strength <= 0) return { measurable: false, reason: 'no tonal content (key strength ≤ 0)' };
  return {
    measurable: true,
    ...names,
    strength: Math.round(strength * 100) / 100,
    agreement: Math.round((best.seconds / totalSec) * 100) / 100,
    profile,
  };
}

/** Time per key and the dominant key, for a mix summary. */
export function keyCoverage(votes: KeyVote[]): Pick<MixSummary, 'dominantKey' | 'keyCoverage'> {
  const byCode = new Map<string, { camelot: string; name: string; openKey: string; seconds: number }>();
  let total = 0;
  for (const v of votes) {
    const pc = pitchClassOf(v.key);
    if (pc === undefined || v.strength <= 0) continue;
    const n = keyNames(pc, v.scale);
    const e = byCode.get(n.camelot) ?? { camelot: n.camelot, name: n.name, openKey: n.openKey, seconds: 0 };
    e.seconds += v.durationSec;
    byCode.set(n.camelot, e);
    total += v.durationSec;
  }
  const list = [...byCode.values()].sort((a, b) => b.seconds - a.seconds);
  const top = list[0];
  return {
    dominantKey: top
      ? {
          name: top.name,
          camelot: top.camelot,
          openKey: top.openKey,
          coverage: Math.round((top.seconds / total) * 100) / 100,
        }
      : null,
    keyCoverage: list.map((e) => ({ camelot: e.camelot, name: e.name, seconds: Math.round(e.seconds * 10) / 10 })),
  };
}
