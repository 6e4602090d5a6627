/** A date read from a name: a day (possibly with other readings) or just a year. */
export interface NameDate {
  /** `YYYY-MM-DD` for a day, `YYYY` for a year only. */
  value: string;
  precision: 'day' | 'year';
  /** Day and month could be read either way round (`03.04.2019`); `alternatives` holds the other readings. */
  ambiguous: boolean;
  alternatives: string[];
  /** The characters of the name the date was read from, so the caller can remove them. */
  matched: string;
}

const MIN_YEAR = 1950;
const MAX_YEAR = 2100;

function validDay(y: number, m: number, d: number): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function fullYear(y: string): number {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  // Two-digit years: recordings from 1950–1999 or 2000–2049.
  return n >= 50 ? 1900 + n : 2000 + n;
}

const SEP = '[.\\-_/ ]';
// Year first: 2019-03-12, 2019.03.12, 20190312.
const YEAR_FIRST = new RegExp(`(?<![\\d])((?:19|20)\\d\\d)(${SEP}?)(\\d{1,2})\\2(\\d{1,2})(?![\\d])`);
// Day or month first: 12.03.2019, 03-12-2019, 12.03.19.
const YEAR_LAST = new RegExp(`(?<![\\d])(\\d{1,2})(${SEP})(\\d{1,2})\\2((?:19|20)?\\d\\d)(?![\\d])`);
const YEAR_ONLY = /(?<![\d])((?:19|20)\d\d)(?![\d])/;

/**
 * The recording date in a name: ISO-like year-first dates, `DD.MM.YYYY` (with `MM.DD.YYYY` offered as the
 * alternative when both readings are valid: flagged ambiguous), two-digit years in day-first form, else a
 * lone year. Null when the name holds none.
 */
export function extractDate(name: string): NameDate | null {
  const yf = YEAR_FIRST.exec(name);
  if (yf) {
    const y = Number(yf[1]);
    const m = Number(yf[3]);
    const d = Number(yf[4]);
    // 8 digits without separators must be exactly YYYYMMDD.
    if ((yf[2] !== '' || (yf[3].length === 2 && yf[4].length === 2)) && validDay(y, m, d)) {
      return { value: iso(y, m, d), precision: 'day', ambiguous: false, alternatives: [], matched: yf[0] };
    }
  }
  const yl = YEAR_LAST.exec(name);
  if (yl) {
    const a = Number(yl[1]);
    const b = Number(yl[3]);
    const y = fullYear(yl[4]);
    const dayFirst = validDay(y, b, a) ? iso(y, b, a) : null;
    const monthFirst = validDay(y, a, b) ? iso(y, a, b) : null;
    // A two-digit year is only trusted with an unambiguous reading and a real separator.
    const shortYear = yl[4].length === 2;
    const readings = [dayFirst, monthFirst].filter((r): r is string => !!r);
    const unique = [...new Set(readings)];
    if (unique.length && !(shortYear && unique.length > 1)) {
      return {
        value: unique[0],
        precision: 'day',
        ambiguous: unique.length > 1,
        alternatives: unique.slice(1),
        matched: yl[0],
      };
    }
  }
  const yo = YEAR_ONLY.exec(name);
  if (yo) return { value: yo[1], precision: 'year', ambiguous: false, alternatives: [], matched: yo[0] };
  return null;
}

/** Whole days between two `YYYY-MM-DD` dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round(Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000);
}
