/**
 * Dates in names and texts: 2024-03-09, 2024.03.09, 20240309, 09.03.2024, 03-09-2024 (scene releases write
 * month-day-year), 2024-03, 2024. The result is `YYYY.MM.DD` with `xx` for unknown parts; a day and month
 * that could be read either way are flagged ambiguous (the reading chosen is day-first, as most of the
 * world writes it, except in scene names, which are month-first by convention).
 */
export interface FoundDate {
  date: string;
  ambiguous: boolean;
  /** Where in the text it was, to cut it out. */
  index: number;
  length: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const validYear = (y: number) => y >= 1950 && y <= 2099;
const validDay = (d: number) => d >= 1 && d <= 31;
const validMonth = (m: number) => m >= 1 && m <= 12;

const PATTERNS: {
  re: RegExp;
  read: (m: RegExpExecArray, sceneOrder: boolean) => Omit<FoundDate, 'index' | 'length'> | null;
}[] = [
  {
    // 2024-03-09, 2024.03.09, 2024_03_09, 2024 03 09
    re: /(?<![\d])((?:19|20)\d\d)([-._ ])(\d\d)\2(\d\d)(?![\d])/g,
    read: (m) => {
      const [y, mo, d] = [+m[1], +m[3], +m[4]];
      return validMonth(mo) && validDay(d) ? { date: `${y}.${pad(mo)}.${pad(d)}`, ambiguous: false } : null;
    },
  },
  {
    // 20240309
    re: /(?<![\d])((?:19|20)\d\d)(\d\d)(\d\d)(?![\d])/g,
    read: (m) => {
      const [y, mo, d] = [+m[1], +m[2], +m[3]];
      return validMonth(mo) && validDay(d) ? { date: `${y}.${pad(mo)}.${pad(d)}`, ambiguous: false } : null;
    },
  },
  {
    // 09.03.2024, 09-03-2024, 9.3.2024 (day-first), 03-09-2024 in scene names (month-first)
    re: /(?<![\d])(\d{1,2})([-._])(\d{1,2})\2((?:19|20)\d\d)(?![\d])/g,
    read: (m, sceneOrder) => {
      const [a, b, y] = [+m[1], +m[3], +m[4]];
      if (!validYear(y)) return null;
      const dayFirst = validDay(a) && validMonth(b);
      const monthFirst = validMonth(a) && validDay(b);
      if (!dayFirst && !monthFirst) return null;
      const ambiguous = dayFirst && monthFirst && a !== b;
      const useMonthFirst = monthFirst && (!dayFirst || sceneOrder);
      const [mo, d] = useMonthFirst ? [a, b] : [b, a];
      return { date: `${y}.${pad(mo)}.${pad(d)}`, ambiguous };
    },
  },
  {
    // 2024-03, 2024.03 (not followed by another number)
    re: /(?<![\d.-])((?:19|20)\d\d)[-.](\d\d)(?![\d.-]?\d)/g,
    read: (m) => (validMonth(+m[2]) ? { date: `${m[1]}.${m[2]}.xx`, ambiguous: false } : null),
  },
  {
    // a bare year
    re: /(?<![\d.#-])((?:19|20)\d\d)(?![\d])/g,
    read: (m) => ({ date: `${m[1]}.xx.xx`, ambiguous: false }),
  },
];

/** The first (most specific) date in a text. */
export function findDate(text: string, options: { sceneOrder?: boolean } = {}): FoundDate | null {
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = p.re.exec(text))) {
      const r = p.read(m, options.sceneOrder ?? false);
      if (r) return { ...r, index: m.index, length: m[0].length };
    }
  }
  return null;
}

/** A date from a tag (`2024-03-09`, `2024`, `2024-03-09T20:00:00`). */
export function dateFromTag(value: string | number | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const found = findDate(String(value));
  return found?.date;
}
