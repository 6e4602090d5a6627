import { parseYear } from '../tags/fields';
import { normaliseOrNull, normaliseText } from '../tags/text';
import { decodeText, type TextEncoding } from './decode-text';

/**
 * .nfo and .txt files next to releases and mixes: decoded from whatever encoding they use, with the
 * CP437 box art stripped, capped in size, and the useful lines picked out (artist, title, label,
 * date, genre, catalogue number, tracklist). The text is data for people and the proposer; nothing
 * in it is ever executed or interpreted as markup.
 */
export interface TextFields {
  artist: string | null;
  title: string | null;
  album: string | null;
  label: string | null;
  date: string | null;
  year: number | null;
  genre: string | null;
  catalog: string | null;
  source: string | null;
}

export interface TracklistLine {
  /** "01." style position, when the line has one. */
  position: number | null;
  /** A cue time such as "[12:34]" or "1:02:03", in seconds, when the line has one. */
  startSec: number | null;
  artist: string | null;
  title: string;
  /** A trailing length such as "(5:32)", in seconds. */
  durationSec: number | null;
}

export interface TextCompanion {
  /** Cleaned text: art removed, one space between words, at most KEEP_CHARS characters. */
  text: string;
  encoding: TextEncoding;
  /** The file was longer than what was read, or the cleaned text longer than what is kept. */
  truncated: boolean;
  fields: TextFields;
  /** Every "Key: value" line, in order (at most 64). */
  pairs: { key: string; value: string }[];
  tracklist: TracklistLine[];
}

/** Bytes read from a text companion; larger files are cut there. */
export const TEXT_READ_BYTES = 256 * 1024;
/** Characters of cleaned text kept. */
export const TEXT_KEEP_CHARS = 64 * 1024;
const MAX_PAIRS = 64;
const MAX_TRACKS = 500;

// Box drawing, block elements and geometric shapes (what CP437 art decodes to), and the bullet
// operator CP437 uses for dotted fills.
const ART_CHARS = /[\u2500-\u25FF\u2219]/g;

/** Removes CP437 art and decoration-only lines; keeps every line that has words or numbers in it. */
export function stripArt(text: string): string {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(ART_CHARS, ' ')
      .replace(/[ \t]+/g, ' ')
      .trim();
    const visible = line.replace(/\s/g, '');
    const wordChars = (visible.match(/[\p{L}\p{N}]/gu) ?? []).length;
    // ASCII-art logos ("|  \/  | __ _") are mostly symbols; sentences and tags are mostly letters.
    if (wordChars === 0 || (visible.length >= 10 && wordChars / visible.length < 0.3)) {
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      continue;
    }
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

const FIELD_ALIASES: Record<string, keyof TextFields> = {
  artist: 'artist',
  artists: 'artist',
  performer: 'artist',
  dj: 'artist',
  band: 'artist',
  title: 'title',
  track: 'title',
  song: 'title',
  album: 'album',
  release: 'album',
  'release name': 'album',
  'release title': 'album',
  label: 'label',
  'record label': 'label',
  publisher: 'label',
  company: 'label',
  date: 'date',
  'release date': 'date',
  released: 'date',
  'rel date': 'date',
  'street date': 'date',
  year: 'date',
  'air date': 'date',
  genre: 'genre',
  genres: 'genre',
  style: 'genre',
  styles: 'genre',
  cat: 'catalog',
  'cat no': 'catalog',
  'cat nr': 'catalog',
  'cat#': 'catalog',
  'cat #': 'catalog',
  catalog: 'catalog',
  catalogue: 'catalog',
  'catalog no': 'catalog',
  'catalog number': 'catalog',
  'catalogue number': 'catalog',
  source: 'source',
  media: 'source',
  medium: 'source',
};

// "Artist.....: Foo", "Artist : Foo", "LABEL = Bar", "Genre____: Techno", "Cat.Nr......: SK123"
const PAIR = /^([\p{L}][\p{L}\p{N} #&/'.-]{0,30}?)\s*(?:[:=]|\.{2,}\s*[:=]?|_{2,}\s*[:=]?)\s*(\S.*)$/u;
const DURATION_AT_END = /\s*[[(]?(\d{1,3}:\d{2}(?::\d{2})?)[\])]?$/;
// "[01]", "1.", "01)", "1 - ", or a zero-padded "01 "; a bare "320 kbps" is not a position.
const POSITION_AT_START = /^(?:\[(\d{1,3})\]|(\d{1,3})[.)]|(\d{1,3})\s[-–]|(0\d{1,2})(?=\s))\s*(.*)$/;
const TIME_AT_START = /^[[(]?(\d{1,3}:\d{2}(?::\d{2})?)[\])]?\s*[-.)]?\s+(.*)$/;

export function clockToSeconds(text: string): number | null {
  const parts = text.split(':').map(Number);
  if (parts.some((p) => !Number.isInteger(p)) || parts.slice(1).some((p) => p > 59)) return null;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

function parsePair(line: string): { key: string; value: string } | null {
  const m = PAIR.exec(line);
  if (!m) return null;
  const key = m[1].replace(/[\s.]+$/, '').trim();
  const value = normaliseOrNull(m[2].replace(/^[:.=\s]+/, ''), { maxLength: 256 });
  return key && value ? { key: normaliseText(key, { maxLength: 40 }), value } : null;
}

function parseTracklistLine(line: string): TracklistLine | null {
  let rest = line;
  let position: number | null = null;
  let startSec: number | null = null;
  const pos = POSITION_AT_START.exec(rest);
  if (pos && !/^\d{1,3}:\d{2}/.test(rest)) {
    position = Number(pos[1] ?? pos[2] ?? pos[3] ?? pos[4]);
    rest = pos[5];
  }
  const time = TIME_AT_START.exec(rest);
  if (time) {
    startSec = clockToSeconds(time[1]);
    rest = time[2];
  }
  if (position === null && startSec === null) return null;
  let durationSec: number | null = null;
  const dur = DURATION_AT_END.exec(rest);
  if (dur && dur.index > 0) {
    durationSec = clockToSeconds(dur[1]);
    rest = rest.slice(0, dur.index);
  }
  rest = rest.trim();
  if (!/\p{L}/u.test(rest) || (position !== null && (position < 1 || position > 999))) return null;
  const dash = /\s[-–—]\s/.exec(rest);
  const artist = dash ? normaliseOrNull(rest.slice(0, dash.index), { maxLength: 256 }) : null;
  const title = normaliseText(dash ? rest.slice(dash.index + dash[0].length) : rest, { maxLength: 256 });
  if (!title) return null;
  return { position, startSec, artist, title, durationSec };
}

export function readTextCompanion(
  bytes: Uint8Array,
  options: { format: 'nfo' | 'txt'; inputTruncated?: boolean },
): TextCompanion {
  const decoded = decodeText(bytes, { prefer: options.format === 'nfo' ? 'cp437' : 'windows-1252' });
  // Normalise (controls, line breaks, NFC) before stripping; cap afterwards so art does not eat the budget.
  const cleaned = stripArt(normaliseText(decoded.text, { multiline: true, maxLength: TEXT_READ_BYTES * 2 }));
  const text = normaliseText(cleaned, { multiline: true, maxLength: TEXT_KEEP_CHARS });
  const fields: TextFields = {
    artist: null,
    title: null,
    album: null,
    label: null,
    date: null,
    year: null,
    genre: null,
    catalog: null,
    source: null,
  };
  const pairs: { key: string; value: string }[] = [];
  const tracklist: TracklistLine[] = [];
  for (const line of text.split('\n')) {
    const pair = parsePair(line);
    if (pair) {
      if (pairs.length < MAX_PAIRS) pairs.push(pair);
      const alias =
        FIELD_ALIASES[
          pair.key
            .toLowerCase()
            .replace(/[\s.]+/g, ' ')
            .trim()
        ];
      if (alias && fields[alias] === null) (fields as unknown as Record<string, string | null>)[alias] = pair.value;
      continue;
    }
    const track = parseTracklistLine(line);
    if (track && tracklist.length < MAX_TRACKS) tracklist.push(track);
  }
  fields.year = parseYear(fields.date);
  return {
    text,
    encoding: decoded.encoding,
    truncated: (options.inputTruncated ?? false) || text.length < cleaned.length,
    fields,
    pairs,
    tracklist,
  };
}
