import {
  camelotOf,
  compatibleCamelot,
  keyNames,
  keyOfCamelot,
  keyRelation,
  openKeyOf,
  parseKey,
  pitchClassOf,
} from './notation';

describe('key notation', () => {
  it('maps keys to the Camelot wheel and Open Key as DJ charts print them', () => {
    expect(camelotOf('A', 'minor')).toBe('8A');
    expect(camelotOf('C', 'major')).toBe('8B');
    expect(camelotOf('G', 'major')).toBe('9B');
    expect(camelotOf('F', 'major')).toBe('7B');
    expect(camelotOf('F#', 'minor')).toBe('11A');
    expect(camelotOf('Gb', 'minor')).toBe('11A');
    expect(camelotOf('Ab', 'minor')).toBe('1A');
    expect(camelotOf('B', 'major')).toBe('1B');
    expect(camelotOf('Db', 'minor')).toBe('12A');
    expect(camelotOf('E', 'major')).toBe('12B');
    expect(openKeyOf('C', 'major')).toBe('1d');
    expect(openKeyOf('A', 'minor')).toBe('1m');
    expect(openKeyOf('F#', 'minor')).toBe('4m');
    expect(openKeyOf('E', 'major')).toBe('5d');
  });

  it('gives every one of the 24 keys a distinct code that maps back to the same key', () => {
    const seen = new Set<string>();
    for (let pc = 0; pc < 12; pc++) {
      for (const scale of ['major', 'minor'] as const) {
        const n = keyNames(pc, scale);
        seen.add(n.camelot);
        expect(keyOfCamelot(n.camelot)).toEqual({ pc, scale });
        expect(parseKey(n.openKey)).toEqual({ pc, scale });
        expect(parseKey(n.short)).toEqual({ pc, scale });
        expect(parseKey(n.name)).toEqual({ pc, scale });
      }
    }
    expect(seen.size).toBe(24);
  });

  it('names keys with the usual spelling', () => {
    expect(keyNames(6, 'minor')).toMatchObject({ name: 'F# minor', short: 'F#m', camelot: '11A', openKey: '4m' });
    expect(keyNames(10, 'major')).toMatchObject({ name: 'Bb major', short: 'Bb' });
    expect(keyNames('C#', 'major').name).toBe('Db major');
    expect(() => keyNames('H', 'major')).toThrow(/not a note name/);
  });

  it('lists harmonically compatible codes: same, ±1 on the wheel, relative major/minor', () => {
    expect(compatibleCamelot('8A')).toEqual(['8A', '7A', '9A', '8B']);
    expect(compatibleCamelot('12B')).toEqual(['12B', '11B', '1B', '12A']);
    expect(compatibleCamelot('1a')).toEqual(['1A', '12A', '2A', '1B']);
    expect(() => compatibleCamelot('13A')).toThrow(/not a Camelot code/);
  });

  it('reads the key spellings found in tags', () => {
    expect(parseKey('Am')).toEqual({ pc: 9, scale: 'minor' });
    expect(parseKey('A min')).toEqual({ pc: 9, scale: 'minor' });
    expect(parseKey('F♯ minor')).toEqual({ pc: 6, scale: 'minor' });
    expect(parseKey('Bbmaj')).toEqual({ pc: 10, scale: 'major' });
    expect(parseKey('G#m')).toEqual({ pc: 8, scale: 'minor' });
    expect(parseKey('c')).toEqual({ pc: 0, scale: 'major' });
    expect(parseKey('8A')).toEqual({ pc: 9, scale: 'minor' });
    expect(parseKey('1d')).toEqual({ pc: 0, scale: 'major' });
    expect(parseKey('')).toBeUndefined();
    expect(parseKey('unknown')).toBeUndefined();
    expect(parseKey('A something')).toBeUndefined();
    expect(pitchClassOf('Cb')).toBe(11);
  });

  it('classifies the relation between two keys', () => {
    const k = (s: string) => parseKey(s)!;
    expect(keyRelation(k('Am'), k('Am'))).toBe('same');
    expect(keyRelation(k('Am'), k('C'))).toBe('relative');
    expect(keyRelation(k('Am'), k('Em'))).toBe('fifth');
    expect(keyRelation(k('Am'), k('Dm'))).toBe('fifth');
    expect(keyRelation(k('Am'), k('A'))).toBe('parallel');
    expect(keyRelation(k('Am'), k('F#m'))).toBe('other');
  });
});
