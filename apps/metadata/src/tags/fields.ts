import { normaliseOrNull, normaliseText } from './text';

/** The tag fields Crateflow uses, the same for every format. Missing means null (or an empty list). */
export interface TagFields {
  /** Every artist value in tag order, without duplicates. */
  artists: string[];
  /** The artist as the tag displays it (e.g. "A feat. B"), else the artists joined with ", ". */
  artist: string | null;
  title: string | null;
  album: string | null;
  albumArtist: string | null;
  trackNo: number | null;
  trackOf: number | null;
  discNo: number | null;
  discOf: number | null;
  /** 1000–9999 only; anything else in a date tag is not a year. */
  year: number | null;
  /** The date as tagged (normalised text), e.g. "2004-05-06" or "2004". */
  date: string | null;
  genres: string[];
  label: string | null;
  comment: string | null;
  /** Upper case without separators when it is a well-formed ISRC, else as tagged. */
  isrc: string | null;
  bpm: number | null;
  /** The musical key as tagged: "Am", "8A", "A minor", ... */
  initialKey: string | null;
}

/** The parts of music-metadata's common result that we read (kept structural so tests can build one). */
export interface CommonTags {
  track?: { no: number | null; of: number | null };
  disk?: { no: number | null; of: number | null };
  year?: number;
  title?: string;
  artist?: string;
  artists?: string[];
  albumartist?: string;
  album?: string;
  date?: string;
  comment?: ({ text?: string; descriptor?: string } | string)[];
  genre?: string[];
  label?: string[];
  publisher?: string[];
  isrc?: string[];
  bpm?: number;
  key?: string;
}

/** Native tags by tag type, each a list of id/value pairs as the file holds them. */
export type NativeTagLists = Record<string, { id: string; value: unknown }[]>;

const MAX_LIST = 32;

/**
 * Native keys per field, compared after normaliseKey(): upper case, without the `TXXX:`,
 * `----:com.apple.iTunes:` and `WM/` prefixes. They back up music-metadata's mapping for keys
 * it does not map (DJ software writes BPM, key and label under many names).
 */
const NATIVE_KEYS = {
  artist: ['TPE1', 'ARTIST', '©ART', 'AUTHOR', 'IART', 'AUTH'],
  title: ['TIT2', 'TITLE', '©NAM', 'INAM', 'NAME'],
  album: ['TALB', 'ALBUM', '©ALB', 'ALBUMTITLE', 'IPRD'],
  albumArtist: ['TPE2', 'ALBUMARTIST', 'ALBUM ARTIST', 'ALBUM_ARTIST', 'AART'],
  date: ['TDRC', 'TYER', 'DATE', 'YEAR', '©DAY', 'ICRD', 'RELEASEDATE', 'TDRL'],
  genre: ['TCON', 'GENRE', '©GEN', 'IGNR'],
  label: ['TPUB', 'LABEL', 'PUBLISHER', 'ORGANIZATION', '©PUB', 'RECORDLABEL'],
  comment: ['COMM', 'COMMENT', 'DESCRIPTION', '©CMT', 'ICMT', 'ANNO'],
  isrc: ['TSRC', 'ISRC'],
  bpm: ['TBPM', 'BPM', 'TMPO', 'BEATSPERMINUTE', 'FBPM'],
  initialKey: ['TKEY', 'INITIALKEY', 'INITIAL KEY', 'KEY'],
  track: ['TRCK', 'TRACKNUMBER', 'TRKN', 'TRACK', 'IPRT', 'ITRK'],
  trackTotal: ['TRACKTOTAL', 'TOTALTRACKS'],
  disc: ['TPOS', 'DISCNUMBER', 'DISK', 'PARTOFSET', 'DISC'],
  discTotal: ['DISCTOTAL', 'TOTALDISCS'],
} as const;

export function normaliseKey(id: string): string {
  return id
    .replace(/^TXXX:/i, '')
    .replace(/^----:com\.apple\.iTunes:/i, '')
    .replace(/^WM\//i, '')
    .toUpperCase();
}

/** Values by normalised key across every tag type, in the order the tag types were read. */
export function indexNative(native: NativeTagLists): Map<string, unknown[]> {
  const index = new Map<string, unknown[]>();
  for (const list of Object.values(native)) {
    for (const { id, value } of list) {
      const key = normaliseKey(id);
      const values = index.get(key);
      if (values) values.push(value);
      else index.set(key, [value]);
    }
  }
  return index;
}

/** Strings from a native value: text, numbers, comment frames ({text}), track pairs ({no, of}). */
function nativeStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const v = value as { text?: unknown; no?: unknown; of?: unknown };
    if (typeof v.text === 'string') return [v.text];
    if (typeof v.no === 'number') return [typeof v.of === 'number' ? `${v.no}/${v.of}` : String(v.no)];
  }
  return [];
}

function nativeFirst(index: Map<string, unknown[]>, keys: readonly string[], multiline = false): string | null {
  for (const key of keys) {
    for (const value of index.get(key) ?? []) {
      for (const s of nativeStrings(value)) {
        const out = normaliseOrNull(s, { multiline });
        if (out !== null) return out;
      }
    }
  }
  return null;
}

function nativeAll(index: Map<string, unknown[]>, keys: readonly string[]): string[] {
  return keys.flatMap((key) => (index.get(key) ?? []).flatMap(nativeStrings));
}

/** "A", "A & B", "A, B & C". */
export function joinArtists(artists: readonly string[]): string | null {
  if (artists.length === 0) return null;
  if (artists.length === 1) return artists[0];
  return `${artists.slice(0, -1).join(', ')} & ${artists[artists.length - 1]}`;
}

/** Normalised, non-empty, de-duplicated (by exact text), at most MAX_LIST entries. */
export function cleanList(values: readonly unknown[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const s = normaliseOrNull(v);
    if (s === null || seen.has(s)) continue;
    seen.add(s);
    out.push(s);
    if (out.length >= MAX_LIST) break;
  }
  return out;
}

/** A year is four digits from 1000 to 9999, at the start of a date or standing alone in it. */
export function parseYear(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1000 && value <= 9999 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /(?<!\d)(\d{4})(?!\d)/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  return year >= 1000 ? year : null;
}

/** "3/12", "03", "3 of 12", " 3 / 12 " → { no: 3, of: 12 }; vinyl positions like "A1" are not numbers. */
export function parsePosition(value: unknown): { no: number | null; of: number | null } {
  if (typeof value === 'number') return { no: validPosition(value), of: null };
  if (typeof value !== 'string') return { no: null, of: null };
  const m = /^\s*(\d{1,4})?\s*(?:(?:\/|\bof\b)\s*(\d{1,4}))?\s*$/i.exec(value);
  if (!m) return { no: null, of: null };
  return { no: m[1] ? validPosition(Number(m[1])) : null, of: m[2] ? validPosition(Number(m[2])) : null };
}

function validPosition(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 9999 ? n : null;
}

export function parseBpm(value: unknown): number | null {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim().replace(',', '.')) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 999) return null;
  return Math.round(n * 100) / 100;
}

const ISRC_SHAPE = /^[A-Z]{2}[A-Z0-9]{3}\d{7}$/;

export function normaliseIsrc(value: string | null): string | null {
  if (value === null) return null;
  const compact = value.toUpperCase().replace(/[\s-]/g, '');
  return ISRC_SHAPE.test(compact) ? compact : normaliseText(value, { maxLength: 64 }) || null;
}

function firstComment(comments: CommonTags['comment']): string | null {
  for (const c of comments ?? []) {
    const text = typeof c === 'string' ? c : c.text;
    const descriptor = typeof c === 'string' ? '' : (c.descriptor ?? '');
    // iTunes keeps machine data in comment frames (iTunNORM, iTunSMPB, ...): not a comment for people.
    if (/^iTun/i.test(descriptor)) continue;
    const out = normaliseOrNull(text, { multiline: true });
    if (out !== null) return out;
  }
  return null;
}

export interface FieldSources {
  common: CommonTags;
  native: NativeTagLists;
  /** Skip these common fields: they were decoded wrongly by the parser and native has them right. */
  distrustCommon?: ReadonlySet<keyof CommonTags>;
}

/** Builds the fields from music-metadata's mapping, backed up by the native tags for what it misses. */
export function buildTagFields({ common: rawCommon, native, distrustCommon }: FieldSources): TagFields {
  const common: CommonTags = { ...rawCommon };
  for (const key of distrustCommon ?? []) delete common[key];
  const index = indexNative(native);

  let artists = cleanList(common.artists ?? []);
  if (artists.length === 0) artists = cleanList(nativeAll(index, NATIVE_KEYS.artist));
  // A display artist that is just the first of several values (music-metadata's choice for
  // multi-value frames) would hide the others; a real display string ("A feat. B") is kept.
  const taggedArtist = normaliseOrNull(common.artist);
  const artist =
    taggedArtist !== null && !(artists.length > 1 && taggedArtist === artists[0]) ? taggedArtist : joinArtists(artists);

  // The year comes from the date text when there is one, so "20041" is no year rather than 2004.
  const dateText = normaliseOrNull(common.date) ?? nativeFirst(index, NATIVE_KEYS.date);
  const dateYears = [dateText, ...nativeAll(index, NATIVE_KEYS.date)].filter((d) => d !== null);
  const year =
    dateYears.length > 0 ? (dateYears.map(parseYear).find((y) => y !== null) ?? null) : parseYear(common.year);

  const nativeTrack = parsePosition(nativeFirst(index, NATIVE_KEYS.track));
  const nativeDisc = parsePosition(nativeFirst(index, NATIVE_KEYS.disc));

  let genres = cleanList(common.genre ?? []);
  if (genres.length === 0) genres = cleanList(nativeAll(index, NATIVE_KEYS.genre));

  return {
    artists,
    artist,
    title: normaliseOrNull(common.title) ?? nativeFirst(index, NATIVE_KEYS.title),
    album: normaliseOrNull(common.album) ?? nativeFirst(index, NATIVE_KEYS.album),
    albumArtist: normaliseOrNull(common.albumartist) ?? nativeFirst(index, NATIVE_KEYS.albumArtist),
    trackNo: validPosition(common.track?.no) ?? nativeTrack.no,
    trackOf:
      validPosition(common.track?.of) ?? nativeTrack.of ?? parsePosition(nativeFirst(index, NATIVE_KEYS.trackTotal)).no,
    discNo: validPosition(common.disk?.no) ?? nativeDisc.no,
    discOf:
      validPosition(common.disk?.of) ?? nativeDisc.of ?? parsePosition(nativeFirst(index, NATIVE_KEYS.discTotal)).no,
    year,
    date: dateText,
    genres,
    label:
      cleanList([...(common.label ?? []), ...(common.publisher ?? [])])[0] ?? nativeFirst(index, NATIVE_KEYS.label),
    comment: firstComment(common.comment) ?? nativeFirst(index, NATIVE_KEYS.comment, true),
    isrc: normaliseIsrc(cleanList(common.isrc ?? [])[0] ?? nativeFirst(index, NATIVE_KEYS.isrc)),
    // Native first: music-metadata rounds BPM to an integer, tags often hold 126.50.
    bpm:
      nativeAll(index, NATIVE_KEYS.bpm)
        .map(parseBpm)
        .find((b) => b !== null) ?? parseBpm(common.bpm),
    initialKey: normaliseOrNull(common.key, { maxLength: 64 }) ?? nativeFirst(index, NATIVE_KEYS.initialKey),
  };
}

/** Fields of a file without tags (and of video files whose container holds none). */
export const EMPTY_TAG_FIELDS: TagFields = {
  artists: [],
  artist: null,
  title: null,
  album: null,
  albumArtist: null,
  trackNo: null,
  trackOf: null,
  discNo: null,
  discOf: null,
  year: null,
  date: null,
  genres: [],
  label: null,
  comment: null,
  isrc: null,
  bpm: null,
  initialKey: null,
};
