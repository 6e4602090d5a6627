/**
 * The real recordings in test/fixtures (licences beside them): sane, non-crashing results, and the facts
 * known about them.
 */
import * as path from 'node:path';
import { EssentiaPool, analyzeFile } from '../src';
import type { AnalysisResult } from '../src';

jest.setTimeout(60_000);

const FIXTURES = path.join(__dirname, 'fixtures');
const FILES = {
  vibeAce: 'Kevin_MacLeod_-_Vibe_Ace.hq.ogg',
  fishin: 'Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg',
  sugarPlum: 'Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg',
  hungarian: 'Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg',
  trumpet: 'sorohanro_-_solo-trumpet-06.hq.ogg',
};

describe('real recordings', () => {
  const pool = new EssentiaPool();
  const results = new Map<string, AnalysisResult>();
  beforeAll(async () => {
    for (const f of Object.values(FILES)) results.set(f, await analyzeFile(path.join(FIXTURES, f), { pool }));
  });
  afterAll(() => pool.close());

  it('gives every file sane values or a reason, as plain JSON', () => {
    for (const [name, r] of results) {
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      expect(r.silent).toBe(false);
      if (r.bpm.measurable) {
        expect(r.bpm.bpm).toBeGreaterThanOrEqual(60);
        expect(r.bpm.bpm).toBeLessThanOrEqual(200);
        expect(r.bpm.confidence).toBeGreaterThanOrEqual(0);
        expect(r.bpm.confidence).toBeLessThanOrEqual(1);
      } else {
        expect(r.bpm.reason.length).toBeGreaterThan(10);
      }
      expect(r.key.measurable).toBe(true);
      if (!r.loudness.measurable || !r.energy.measurable) throw new Error(`${name}: ${JSON.stringify(r.warnings)}`);
      expect(r.loudness.integratedLufs).toBeGreaterThan(-30);
      expect(r.loudness.integratedLufs).toBeLessThan(-5);
      expect(r.energy.rating).toBeGreaterThanOrEqual(1);
      expect(r.energy.rating).toBeLessThanOrEqual(10);
      expect(r.warnings).toEqual([]);
    }
  });

  it('finds the steady groove of Vibe Ace', () => {
    const r = results.get(FILES.vibeAce)!;
    if (!r.bpm.measurable || !r.beats.measurable) throw new Error('no tempo');
    expect(Math.abs(r.bpm.bpm / 130 - 1)).toBeLessThan(0.04);
    expect(r.bpm.confidence).toBeGreaterThan(0.7);
    expect(r.beats.grid.stability).toBe('steady');
    expect(r.danceability).toMatchObject({ measurable: true });
  });

  it('hears the minor keys of the classical pieces', () => {
    // Dance of the Sugar Plum Fairy is in E minor.
    expect(results.get(FILES.sugarPlum)!.key).toMatchObject({ name: 'E minor', camelot: '9A' });
    // The title gives Brahms' original F# minor; orchestral arrangements are usually in G minor, and all five
    // Essentia profiles hear G minor in this recording (its tuning is A = 441 Hz, so it is not a detuning).
    const hungarian = results.get(FILES.hungarian)!.key;
    expect(hungarian).toMatchObject({ measurable: true, scale: 'minor' });
    expect(['11A', '6A']).toContain(hungarian.measurable && hungarian.camelot);
  });

  it('keeps a 5-second loop out of tempo detection but still names its key (F)', () => {
    const r = results.get(FILES.trumpet)!;
    expect(r.bpm).toMatchObject({ measurable: false, reason: expect.stringMatching(/too short/) });
    expect(r.key).toMatchObject({ measurable: true, tonic: 'F' });
  });
});
