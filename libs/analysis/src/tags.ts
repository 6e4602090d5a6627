import { camelotOf, keyRelation, parseKey } from './notation';
import type { BpmMeasurement, KeyMeasurement, Measured, TagComparison } from './types';

/**
 * Tags versus measurement. Both values are kept; the verdict says how they relate. A BPM tag within 4 %
 * matches; half or double (within 4 %) is an octave difference, which DJ software disagrees about all the
 * time and is reported but not flagged; anything else disagrees. For keys any difference disagrees; the
 * verdict names the relation (relative, fifth, parallel: the usual near misses of key detectors, and still
 * a clash on the decks) or says "disagree" for an unrelated key.
 */
export const BPM_TOLERANCE = 0.04;

export interface FileTags {
  bpm?: number | string | null;
  key?: string | null;
}

export function compareTags(
  bpm: Measured<BpmMeasurement>,
  key: Measured<KeyMeasurement>,
  tags: FileTags,
): TagComparison {
  const out: TagComparison = { disagreement: false };
  if (tags.bpm !== undefined && tags.bpm !== null && String(tags.bpm).trim() !== '') {
    const tagValue = typeof tags.bpm === 'number' ? tags.bpm : Number(String(tags.bpm).trim().replace(',', '.'));
    const measured = bpm.measurable ? bpm.bpm : null;
    if (!Number.isFinite(tagValue) || tagValue <= 0) {
      out.bpm = { tag: tags.bpm, measured, verdict: 'unreadable', differencePercent: null };
    } else if (measured === null) {
      out.bpm = { tag: tagValue, measured, verdict: 'not-measured', differencePercent: null };
    } else {
      const diff = tagValue / measured - 1;
      const octave = [0.5, 2].some((f) => Math.abs(tagValue / (measured * f) - 1) <= BPM_TOLERANCE);
      const verdict = Math.abs(diff) <= BPM_TOLERANCE ? 'match' : octave ? 'octave' : 'disagree';
      out.bpm = { tag: tagValue, measured, verdict, differencePercent: Math.round(diff * 1000) / 10 };
      if (verdict === 'disagree') out.disagreement = true;
    }
  }
  if (tags.key !== undefined && tags.key !== null && tags.key.trim() !== '') {
    const parsed = parseKey(tags.key);
    const measuredCamelot = key.measurable ? key.camelot : null;
    if (!parsed) {
      out.key = { tag: tags.key, tagCamelot: null, measuredCamelot, verdict: 'unreadable' };
    } else if (!key.measurable) {
      out.key = {
        tag: tags.key,
        tagCamelot: camelotOf(parsed.pc, parsed.scale),
        measuredCamelot,
        verdict: 'not-measured',
      };
    } else {
      const measuredKey = parseKey(key.camelot)!;
      const rel = keyRelation(parsed, measuredKey);
      const verdict = rel === 'same' ? 'match' : rel === 'other' ? 'disagree' : rel;
      out.key = { tag: tags.key, tagCamelot: camelotOf(parsed.pc, parsed.scale), measuredCamelot, verdict };
      if (verdict !== 'match') out.disagreement = true;
    }
  }
  return out;
}
