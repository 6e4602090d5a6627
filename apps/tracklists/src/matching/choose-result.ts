import { token_set_ratio } from 'fuzzball';
import { daysBetween, extractDate, type NameDate } from '../query/dates';
import type { SetQuery } from '../query/derive-query';

/** One row of a search result page. */
export interface SearchRow {
  url: string;
  title: string;
  artist: string | null;
  event: string | null;
  /** `YYYY-MM-DD` when the page shows one. */
  date: string | null;
}

export interface ScoredRow {
  row: SearchRow;
  score: number;
  /** Each signal that counted, 0–100. */
  signals: { artist?: number; event?: number; date?: number };
  capped: boolean;
}

export interface Choice {
  /** Every row, best first. */
  ranked: ScoredRow[];
  /** The winner: ≥ 70 and ≥ 10 points ahead of the runner-up; null when none stands out. */
  winner: ScoredRow | null;
  /** The winner scored ≥ 90: it is linked without asking a person. */
  autoLink: boolean;
}

export const WEIGHTS = { artist: 0.5, event: 0.3, date: 0.2 } as const;
export const CAP = 89;
export const WINNER_MIN = 70;
export const WINNER_MARGIN = 10;
export const AUTO_LINK_MIN = 90;

/** Lower case, accents folded (Björk = Bjork), punctuation to spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function similarity(a: string | null, b: string | null): number | undefined {
  const fa = a ? foldText(a) : '';
  const fb = b ? foldText(b) : '';
  if (!fa || !fb) return undefined;
  return token_set_ratio(fa, fb, { full_process: false });
}

/** Date proximity: same day 100, ≤ 3 days 80, ≤ 30 days 50, else 0. */
export function dateProximity(days: number): number {
  if (days === 0) return 100;
  if (days <= 3) return 80;
  if (days <= 30) return 50;
  return 0;
}

/**
 * Compares the name's date with a row's. Both days: the best proximity over the name's readings (an ambiguous
 * `03.04.2019` may be either). A year on one side: a different year is a known miss (0, far apart); the same
 * year says nothing about the day, so the signal does not count.
 */
function compareDates(mine: NameDate | null, theirs: string | null): { proximity?: number; far: boolean } {
  if (!mine || !theirs) return { far: false };
  const other = extractDate(theirs);
  if (!other) return { far: false };
  if (mine.precision === 'year' || other.precision === 'year') {
    return mine.value.slice(0, 4) === other.value.slice(0, 4) ? { far: false } : { proximity: 0, far: true };
  }
  const days = Math.min(...[mine.value, ...mine.alternatives].map((d) => daysBetween(d, other.value)));
  return { proximity: dateProximity(days), far: days > 3 };
}

/** The score of one row against the query (0–100), counting only signals present on both sides. */
export function scoreRow(query: SetQuery, row: SearchRow): ScoredRow {
  const signals: ScoredRow['signals'] = {};
  const artist = similarity(query.artist, row.artist ?? row.title);
  const event = similarity(query.event, row.event);
  const date = compareDates(query.date, row.date);
  let sum = 0;
  let weight = 0;
  if (artist !== undefined) {
    signals.artist = artist;
    sum += WEIGHTS.artist * artist;
    weight += WEIGHTS.artist;
  }
  if (event !== undefined) {
    signals.event = event;
    sum += WEIGHTS.event * event;
    weight += WEIGHTS.event;
  }
  if (date.proximity !== undefined) {
    signals.date = date.proximity;
    sum += WEIGHTS.date * date.proximity;
    weight += WEIGHTS.date;
  }
  let score = weight > 0 ? Math.round(sum / weight) : 0;
  const capped = (date.far || !artist) && score > CAP;
  if (capped) score = CAP;
  return { row, score, signals, capped };
}

/** Scores every row and picks a winner by the rules above; only a winner at ≥ 90 is linked automatically. */
export function chooseResult(query: SetQuery, rows: SearchRow[]): Choice {
  const ranked = rows.map((r) => scoreRow(query, r)).sort((a, b) => b.score - a.score);
  const [best, second] = ranked;
  const winner = best && best.score >= WINNER_MIN && best.score - (second?.score ?? 0) >= WINNER_MARGIN ? best : null;
  return { ranked, winner, autoLink: !!winner && winner.score >= AUTO_LINK_MIN };
}
