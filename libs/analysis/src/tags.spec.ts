import { compareTags } from './tags';
import type { BpmMeasurement, KeyMeasurement, Measured } from './types';

const bpm = (value: number): Measured<BpmMeasurement> => ({
  measurable: true,
  bpm: value,
  confidence: 0.9,
  octaveReason: '',
  trackerBpm: value,
  windowRange: [value, value],
  method: 'test',
  doubleTimeScore: 0,
});
const key: Measured<KeyMeasurement> = {
  measurable: true,
  tonic: 'A',
  scale: 'minor',
  name: 'A minor',
  short: 'Am',
  camelot: '8A',
  openKey: '1m',
  strength: 0.8,
  agreement: 1,
  profile: 'krumhansl',
};

describe('compareTags', () => {
  it('accepts a BPM within 4 % and reports an octave difference without flagging it', () => {
    expect(compareTags(bpm(128), key, { bpm: 127 }).bpm).toMatchObject({ verdict: 'match', differencePercent: -0.8 });
    expect(compareTags(bpm(128), key, { bpm: '64' })).toMatchObject({
      bpm: { verdict: 'octave' },
      disagreement: false,
    });
    expect(compareTags(bpm(87), key, { bpm: 174 })).toMatchObject({ bpm: { verdict: 'octave' }, disagreement: false });
  });

  it('flags a BPM beyond 4 % that is not an octave, keeping both values', () => {
    const c = compareTags(bpm(128), key, { bpm: 134 });
    expect(c.bpm).toEqual({ tag: 134, measured: 128, verdict: 'disagree', differencePercent: 4.7 });
    expect(c.disagreement).toBe(true);
  });

  it('compares keys in any notation and flags any difference, naming the relation', () => {
    expect(compareTags(bpm(128), key, { key: '8A' })).toMatchObject({
      key: { verdict: 'match', tagCamelot: '8A' },
      disagreement: false,
    });
    expect(compareTags(bpm(128), key, { key: 'A min' }).key?.verdict).toBe('match');
    expect(compareTags(bpm(128), key, { key: 'C' })).toMatchObject({
      key: { verdict: 'relative' },
      disagreement: true,
    });
    expect(compareTags(bpm(128), key, { key: 'Em' }).key?.verdict).toBe('fifth');
    expect(compareTags(bpm(128), key, { key: 'F#m' })).toMatchObject({
      key: { verdict: 'disagree', tagCamelot: '11A', measuredCamelot: '8A' },
    });
  });

  it('keeps unreadable tags and unmeasured values visible instead of guessing', () => {
    const silent = { measurable: false as const, reason: 'silent' };
    expect(compareTags(bpm(128), key, { bpm: 'fast', key: 'blue' })).toMatchObject({
      bpm: { verdict: 'unreadable', tag: 'fast' },
      key: { verdict: 'unreadable', tag: 'blue' },
      disagreement: false,
    });
    expect(compareTags(silent, silent, { bpm: 120, key: 'Am' })).toMatchObject({
      bpm: { verdict: 'not-measured' },
      key: { verdict: 'not-measured' },
    });
    expect(compareTags(bpm(128), key, {})).toEqual({ disagreement: false });
  });
});
