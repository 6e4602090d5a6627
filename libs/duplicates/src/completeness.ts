/**
 * How complete a file's tags are, from 0 to 1, weighted by what a DJ archive relies on to name, find
 * and sort files: artist and title most, then album, year and label, then the rest.
 */
export interface TagCompletenessInput {
  artist?: string | null;
  title?: string | null;
  album?: string | null;
  albumArtist?: string | null;
  trackNo?: number | null;
  year?: number | null;
  genres?: readonly string[] | null;
  label?: string | null;
  isrc?: string | null;
  bpm?: number | null;
  initialKey?: string | null;
  hasCoverArt?: boolean | null;
}

export type TagCompletenessField = keyof TagCompletenessInput;

export const TAG_COMPLETENESS_WEIGHTS: Readonly<Record<TagCompletenessField, number>> = {
  artist: 0.2,
  title: 0.2,
  album: 0.1,
  year: 0.1,
  label: 0.1,
  albumArtist: 0.05,
  trackNo: 0.05,
  genres: 0.05,
  isrc: 0.05,
  bpm: 0.04,
  initialKey: 0.03,
  hasCoverArt: 0.03,
};

export interface TagCompleteness {
  /** 0 (nothing) to 1 (every weighted field present), rounded to 3 decimals. */
  score: number;
  present: TagCompletenessField[];
  missing: TagCompletenessField[];
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some((v) => typeof v === 'string' && v.trim() !== '');
  if (typeof value === 'number') return Number.isFinite(value) && value > 0;
  return true;
}

export function tagCompleteness(tags: TagCompletenessInput): TagCompleteness {
  const present: TagCompletenessField[] = [];
  const missing: TagCompletenessField[] = [];
  let score = 0;
  for (const [field, weight] of Object.entries(TAG_COMPLETENESS_WEIGHTS) as [TagCompletenessField, number][]) {
    if (isPresent(tags[field])) {
      present.push(field);
      score += weight;
    } else {
      missing.push(field);
    }
  }
  return { score: Math.round(score * 1000) / 1000, present, missing };
}
