/**
 * Musical key notation: standard names, Camelot wheel codes (8A = A minor) and Open Key codes (1m = A minor),
 * and the harmonic-mixing neighbourhood DJs use (same code, one step round the wheel, relative major/minor).
 *
 * Camelot numbers follow the circle of fifths: one step clockwise is a fifth up. C major is 8B, and a minor
 * key shares its number with its relative major (A minor = 8A). Open Key numbers are the same wheel turned
 * so that C major is 1d and A minor 1m.
 */

export type Scale = 'major' | 'minor';

/** Spelling used for display: the one most DJ software and key charts use for each pitch class and mode. */
const MAJOR_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

const LETTER_PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** Pitch class (0 = C … 11 = B) of a note name such as "F#", "Bb", "C♯", "Db"; undefined when it is not one. */
export function pitchClassOf(note: string): number | undefined {
  const m = /^\s*([A-Ga-g])\s*([#♯b♭]?)\s*$/.exec(note);
  if (!m) return undefined;
  const base = LETTER_PC[m[1].toUpperCase()];
  const accidental = m[2] === '#' || m[2] === '♯' ? 1 : m[2] === 'b' || m[2] === '♭' ? -1 : 0;
  return (base + accidental + 12) % 12;
}

export interface KeyNames {
  /** Tonic as displayed, e.g. "F#", "Bb". */
  tonic: string;
  scale: Scale;
  /** "F# minor" */
  name: string;
  /** "F#m" / "Bb" */
  short: string;
  /** Camelot wheel code, "11A". */
  camelot: string;
  /** Open Key code, "4m". */
  openKey: string;
}

/** Camelot number (1..12) of a key given as tonic pitch class and scale. */
function camelotNumber(pc: number, scale: Scale): number {
  // Relative major of a minor key is three semitones up; both share a number.
  const majorPc = scale === 'major' ? pc : (pc + 3) % 12;
  // Each fifth (7 semitones) is one step; C major (pc 0) sits at 8.
  return ((((majorPc * 7) % 12) + 7) % 12) + 1;
}

/** All names of a key, from its tonic (a note name or pitch class) and scale. Throws on an unknown tonic. */
export function keyNames(tonic: string | number, scale: Scale): KeyNames {
  const pc = typeof tonic === 'number' ? ((tonic % 12) + 12) % 12 : pitchClassOf(tonic);
  if (pc === undefined) throw new Error(`not a note name: "${tonic}"`);
  const display = scale === 'major' ? MAJOR_NAMES[pc] : MINOR_NAMES[pc];
  const n = camelotNumber(pc, scale);
  const open = ((n - 8 + 12) % 12) + 1;
  return {
    tonic: display,
    scale,
    name: `${display} ${scale}`,
    short: scale === 'minor' ? `${display}m` : display,
    camelot: `${n}${scale === 'minor' ? 'A' : 'B'}`,
    openKey: `${open}${scale === 'minor' ? 'm' : 'd'}`,
  };
}

/** Camelot code of a key, e.g. camelotOf('A', 'minor') === '8A'. */
export function camelotOf(tonic: string | number, scale: Scale): string {
  return keyNames(tonic, scale).camelot;
}

/** Open Key code of a key, e.g. openKeyOf('C', 'major') === '1d'. */
export function openKeyOf(tonic: string | number, scale: Scale): string {
  return keyNames(tonic, scale).openKey;
}

/** Splits "8A" / "12b" into number and letter; undefined when it is not a Camelot code. */
export function parseCamelot(code: string): { n: number; letter: 'A' | 'B' } | undefined {
  const m = /^\s*(1[0-2]|0?[1-9])\s*([ABab])\s*$/.exec(code);
  if (!m) return undefined;
  return { n: Number(m[1]), letter: m[2].toUpperCase() as 'A' | 'B' };
}

/**
 * Camelot codes that mix harmonically with `code`: the same key, one step either way round the wheel
 * (a fifth up or down, same mode) and the relative major/minor (same number, other letter).
 * compatibleCamelot('8A') → ['8A', '7A', '9A', '8B'].
 */
export function compatibleCamelot(code: string): string[] {
  const c = parseCamelot(code);
  if (!c) throw new Error(`not a Camelot code: "${code}" (expected 1A..12B)`);
  const step = (d: number) => ((c.n - 1 + d + 12) % 12) + 1;
  return [
    `${c.n}${c.letter}`,
    `${step(-1)}${c.letter}`,
    `${step(1)}${c.letter}`,
    `${c.n}${c.letter === 'A' ? 'B' : 'A'}`,
  ];
}

/** Tonic pitch class and scale of a Camelot code. */
export function keyOfCamelot(code: string): { pc: number; scale: Scale } {
  const c = parseCamelot(code);
  if (!c) throw new Error(`not a Camelot code: "${code}" (expected 1A..12B)`);
  // Inverse of camelotNumber: the major key at step n is (n - 8) fifths from C.
  const majorPc = ((((c.n - 8) * 7) % 12) + 12) % 12;
  return c.letter === 'B' ? { pc: majorPc, scale: 'major' } : { pc: (majorPc + 9) % 12, scale: 'minor' };
}

/**
 * Reads a key as it appears in tags and DJ software: "Am", "A minor", "A min", "F#m", "Bbmaj", "C",
 * Camelot "8A", Open Key "1m", and the Traktor/Mixed In Key spellings "Abm", "G#m". Undefined when it
 * cannot be read (tags hold all sorts of text; the caller decides what to do).
 */
export function parseKey(text: string): { pc: number; scale: Scale } | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const camelot = parseCamelot(t);
  if (camelot) return keyOfCamelot(t);
  const open = /^\s*(1[0-2]|0?[1-9])\s*([dmDM])\s*$/.exec(t);
  if (open) {
    const n = ((Number(open[1]) - 1 + 7) % 12) + 1; // Open Key 1 = Camelot 8
    return keyOfCamelot(`${n}${open[2].toLowerCase() === 'm' ? 'A' : 'B'}`);
  }
  const m = /^\s*([A-Ga-g])\s*([#♯b♭]?)\s*(.*)$/.exec(t);
  if (!m) return undefined;
  const pc = pitchClassOf(m[1] + m[2]);
  if (pc === undefined) return undefined;
  const rest = m[3].trim().toLowerCase().replace(/[\s.]/g, '');
  if (rest === '' || rest === 'maj' || rest === 'major' || rest === 'dur' || rest === 'ionian')
    return { pc, scale: 'major' };
  if (rest === 'm' || rest === 'min' || rest === 'minor' || rest === 'moll' || rest === 'aeolian' || rest === '-') {
    return { pc, scale: 'minor' };
  }
  // "M" alone is ambiguous in some tools but commonly means minor in short tags ("AM" is rare); be strict.
  return undefined;
}

/** How two keys relate, for tag comparison and accuracy reports. */
export type KeyRelation = 'same' | 'relative' | 'fifth' | 'parallel' | 'other';

export function keyRelation(a: { pc: number; scale: Scale }, b: { pc: number; scale: Scale }): KeyRelation {
  if (a.pc === b.pc && a.scale === b.scale) return 'same';
  if (a.pc === b.pc) return 'parallel';
  const ca = parseCamelot(camelotOf(a.pc, a.scale))!;
  const cb = parseCamelot(camelotOf(b.pc, b.scale))!;
  if (ca.n === cb.n) return 'relative';
  if (ca.letter === cb.letter && (Math.abs(ca.n - cb.n) === 1 || Math.abs(ca.n - cb.n) === 11)) return 'fifth';
  return 'other';
}
