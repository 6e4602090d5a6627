import { findDate, type FoundDate } from './dates';

/**
 * Reads what a file name (and its folders) says: artist, title, track number, event, show, date. Pure
 * string work, no I/O; used by the rule engine. Handles scene-style names (`Artist_-_Title-(CAT)-WEB-2024-GRP`,
 * `01-artist-title-grp`), `NN - Artist - Title`, `Artist - Title (Original Mix)`, `Artist @ Event 2024-03-09`,
 * `Artist - Live at Venue`, radio shows with episode numbers, and album folders (`Artist - Album (2004)/03 Title`).
 */
export interface ParsedName {
  artist?: string;
  title?: string;
  trackNumber?: number;
  event?: string;
  show?: string;
  episode?: string;
  date?: FoundDate;
  /** The name follows scene conventions. */
  scene: boolean;
  /** Something in the name says it is a set, not a track (live @, b2b, radio show, dj set ...). */
  mixSignal: boolean;
  /** The name was all lower or upper case, so its capitals were restored by rule. */
  recased: boolean;
}

export interface ParsedFolder {
  artist?: string;
  albumArtist?: string;
  album?: string;
  year?: string;
}

const SCENE_SOURCES =
  'WEB|CD|CDM|CDR|CDS|MCD|CDEP|VINYL|VLS|EP|LP|FM|SAT|DAB|CABLE|LINE|DVB|DVBS|DVBC|SBD|AUD|STREAM|PROMO|RETAIL|BOOTLEG|WEBFLAC|FLAC|TAPE|MP3CD|DVD|DVDA|HDTV|[1-9]CD|[1-9]CDR';
const SCENE_TAIL = new RegExp(
  `^(.+?)((?:-\\([^)]*\\))*)(?:-(?:${SCENE_SOURCES}))*` +
    `(?:-(?:((?:\\d\\d-\\d\\d-)?(?:19|20)\\d\\d(?:-\\d\\d-\\d\\d)?)))-([A-Za-z0-9]+(?:_(?:INT|iNT))?)$`,
  'i',
);

const SMALL_WORDS = new Set([
  'feat.',
  'ft.',
  'vs',
  'vs.',
  'b2b',
  'b3b',
  'x',
  'aka',
  'pres.',
  'presents',
  'a',
  'an',
  'and',
  'the',
  'of',
  'in',
  'on',
  'at',
  'to',
  'for',
  'or',
  'with',
  'by',
  'from',
  'van',
  'von',
  'de',
  'der',
]);
const UPPER_WORDS = new Map(
  [
    'dj',
    'mc',
    'uk',
    'usa',
    'nyc',
    'ny',
    'la',
    'ii',
    'iii',
    'iv',
    'ade',
    'edc',
    'umf',
    'bbc',
    'asot',
    'fsoe',
    'tatw',
    'djs',
    'edm',
    'ep',
    'lp',
  ].map((w) => [w, w.toUpperCase()]),
);

/** Capitals for a name that has none (or only capitals): first letter of each word, small words kept. */
export function titleCase(s: string): string {
  return s
    .toLowerCase()
    .split(' ')
    .map((w, i) => {
      if (!w) return w;
      const bare = w.replace(/^[([{'"]+|[)\]}'",!?]+$/g, '');
      const upper = UPPER_WORDS.get(bare);
      if (upper) return w.replace(bare, upper);
      if (i > 0 && SMALL_WORDS.has(w)) return w;
      return w.replace(/\p{L}/u, (c) => c.toUpperCase());
    })
    .join(' ');
}

function needsRecase(s: string): boolean {
  const letters = s.replace(/[^\p{L}]/gu, '');
  if (letters.length < 2) return false;
  // Scripts without case (CJK, Arabic, ...) are left alone.
  if (letters.toLowerCase() === letters.toUpperCase()) return false;
  // All capitals count as shouting only across words ("DAFT PUNK"); "P.E.T.R.O.L." or "DC10" stay.
  return letters === letters.toLowerCase() || (letters === letters.toUpperCase() && /\p{L}{2,}\s+\p{L}{2,}/u.test(s));
}

const KNOWN_SHOWS: [RegExp, string][] = [
  [/\b(?:a state of trance|asot)\b/i, 'A State of Trance'],
  [/\bessential mix\b/i, 'Essential Mix'],
  [/\bgroup therapy\b/i, 'Group Therapy'],
  [/\bglobal dj broadcast\b/i, 'Global DJ Broadcast'],
  [/\b(?:tiësto'?s |tiesto'?s )?club life\b/i, 'Club Life'],
  [/\bcorsten'?s countdown\b/i, "Corsten's Countdown"],
  [/\b(?:trance around the world|tatw)\b/i, 'Trance Around The World'],
  [/\banjunabeats worldwide\b/i, 'Anjunabeats Worldwide'],
  [/\b(?:future sound of egypt|fsoe)\b/i, 'Future Sound of Egypt'],
  [/\bhardwell on air\b/i, 'Hardwell On Air'],
  [/\bdrumcode radio(?: live)?\b/i, 'Drumcode Radio'],
  [/\bprotocol radio\b/i, 'Protocol Radio'],
  [/\bpure trance radio\b/i, 'Pure Trance Radio'],
];
const GENERIC_SHOW =
  /^(.*?\b(?:radio(?: ?show)?|podcast|radioshow|broadcast|on air|sessions|show))\b\s*(?:#|ep\.?|episode|vol\.?)?\s*(\d{1,4})?\s*$/i;

function findShow(part: string): { show: string; episode?: string } | null {
  for (const [re, name] of KNOWN_SHOWS) {
    const m = re.exec(part);
    if (m) {
      const after = part.slice(m.index + m[0].length);
      const ep = /^\s*(?:#|ep\.?|episode)?\s*(\d{1,4})\b/i.exec(after);
      return { show: name, episode: ep?.[1] };
    }
  }
  const g = GENERIC_SHOW.exec(part);
  if (g && g[1].trim().split(/\s+/).length <= 5) return { show: g[1].trim(), episode: g[2] };
  return null;
}

const LIVE_PART = /^(?:live|dj[ -]?set|set|recorded live|live set|liveset|mix)\s*(?:@|at|in|from)\s+(.+)$/i;
const ARTIST_AT = /^(.+?)\s+(?:@|live\s*@|live at|live in|live from|dj[ -]?set\s*(?:@|at))\s+(.+)$/i;
const PAREN_LIVE = /\((?:live|dj[ -]?set|recorded live)\s*(?:@|at|in|from)\s+([^)]+)\)/i;
const MIX_WORDS =
  /\b(?:b2b|b3b|boiler room|dj[ -]?set|live ?set|liveset|mixtape|dj mix|continuous mix|mixed by|warm[- ]?up set|closing set|opening set|radio ?show|podcast|essential mix|cercle)\b/i;

function cleanPiece(s: string): string {
  return s
    .replace(/\(\s*\)|\[\s*\]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—~,.;:]+|[\s\-–—~,;:]+$/g, '')
    .trim();
}

/** A track number at the start: `03 `, `03. `, `03 - `, `3) `, `103-` (disc 1, track 03). */
const LEADING_TRACK = /^(\d{1,3})(?:\s*[-.)_]\s*|\s+)(?=\S)/;

function parseScene(stem: string): ParsedName | null {
  if (/\s/.test(stem)) return null;
  const tail = SCENE_TAIL.exec(stem);
  let body: string;
  let date: FoundDate | undefined;
  let trackNumber: number | undefined;
  if (tail) {
    body = tail[1];
    if (tail[3]) {
      const d = findDate(tail[3], { sceneOrder: true });
      if (d) date = d;
    }
  } else {
    // 01-artist-title(-grp): a numbered track of a scene release.
    const tokens = stem.split('-');
    if (tokens.length < 3 || !/^\d{2,3}$/.test(tokens[0])) return null;
    trackNumber = Number(tokens[0].length === 3 ? tokens[0].slice(1) : tokens[0]);
    let rest = tokens.slice(1);
    const last = rest[rest.length - 1];
    if (rest.length >= 3 && /^[a-z0-9]{2,10}$/i.test(last) && !last.includes('_') && /[a-z]/i.test(last)) {
      rest = rest.slice(0, -1);
    }
    body = rest.join('-');
  }
  let artist: string | undefined;
  let title: string | undefined;
  const spaced = body.replace(/_-_/g, ' - ').replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
  const parts = spaced.split(' - ');
  if (parts.length >= 2) {
    artist = parts[0];
    title = parts.slice(1).join(' - ');
  } else {
    const tokens = spaced.split('-');
    if (tokens.length >= 2) {
      artist = tokens[0];
      title = tokens.slice(1).join(' - ');
    } else title = spaced;
  }
  if (!tail && trackNumber === undefined) return null;
  const recased = needsRecase(spaced);
  const fix = (s: string | undefined) => (s === undefined ? s : cleanPiece(recased ? titleCase(s) : s));
  const parsed: ParsedName = {
    artist: fix(artist),
    title: fix(title),
    trackNumber,
    date,
    scene: true,
    mixSignal: false,
    recased,
  };
  // The title of a scene live recording reads like any other name: "Live_at_Tomorrowland".
  if (parsed.title) {
    const live = LIVE_PART.exec(parsed.title) ?? PAREN_LIVE.exec(parsed.title);
    if (live) {
      parsed.event = cleanPiece(live[1]);
      parsed.mixSignal = true;
    }
    const show = findShow(parsed.title);
    if (show && !parsed.event) {
      parsed.show = show.show;
      parsed.episode = show.episode;
      parsed.mixSignal = true;
    }
  }
  if (MIX_WORDS.test(spaced)) parsed.mixSignal = true;
  return parsed;
}

/** Parses a file name without its extension. */
export function parseName(stem: string): ParsedName {
  const scene = parseScene(stem);
  if (scene) return scene;

  let s = stem.normalize('NFC');
  if (!/\s/.test(s) && /_/.test(s)) s = s.replace(/_/g, ' ');
  s = s.replace(/[–—]/g, '-').replace(/\s+/g, ' ').trim();

  const out: ParsedName = { scene: false, mixSignal: false, recased: false };
  const date = findDate(s);
  if (date && !date.date.endsWith('xx.xx')) {
    out.date = date;
    s = s.slice(0, date.index) + ' ' + s.slice(date.index + date.length);
  } else if (date) {
    // A bare year belongs to the name only where it stands apart: "(2019)", "- 2019", "2019 -".
    const before = s.slice(0, date.index);
    const after = s.slice(date.index + date.length);
    if (/[([]\s*$/.test(before) || /^\s*[)\]]/.test(after) || /(^|\s-\s*)$/.test(before) || /^\s*(-\s|$)/.test(after)) {
      out.date = date;
      s = before + ' ' + after;
    }
  }
  s = s
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

  const track = LEADING_TRACK.exec(s);
  if (track && !/^\d{4}/.test(s)) {
    const n = Number(track[1]);
    out.trackNumber = track[1].length === 3 && n >= 100 ? n % 100 : n;
    s = s.slice(track[0].length);
  }

  const paren = PAREN_LIVE.exec(s);
  if (paren) {
    out.event = cleanPiece(paren[1]);
    out.mixSignal = true;
    s = s.replace(paren[0], ' ');
  }

  let parts = s
    .split(/\s+-+\s+|\s+~\s+|\s+--+|--+\s+/)
    .map(cleanPiece)
    .filter(Boolean);
  if (parts.length === 1 && /^[^\s]+-[^\s].*\s/.test(parts[0]) === false && / -|- /.test(parts[0])) {
    parts = parts[0].split(/ -|- /).map(cleanPiece).filter(Boolean);
  }
  const text: string[] = [];
  for (const part of parts) {
    if (/^\d{1,3}$/.test(part) && out.trackNumber === undefined && text.length > 0) {
      out.trackNumber = Number(part);
      continue;
    }
    const live = LIVE_PART.exec(part);
    if (live) {
      out.event ??= cleanPiece(live[1]);
      out.mixSignal = true;
      continue;
    }
    const at = ARTIST_AT.exec(part);
    if (at && text.length === 0) {
      text.push(cleanPiece(at[1]));
      out.event ??= cleanPiece(at[2]);
      out.mixSignal = true;
      continue;
    }
    const show = findShow(part);
    if (show) {
      out.show ??= show.show;
      out.episode ??= show.episode;
      out.mixSignal = true;
      continue;
    }
    text.push(part);
  }
  if (text.length >= 2) {
    out.artist = text[0];
    out.title = text.slice(1).join(' - ');
  } else if (text.length === 1) {
    if (out.event || out.show) out.artist = text[0];
    else out.title = text[0];
  }
  if (MIX_WORDS.test(stem.replace(/_/g, ' '))) out.mixSignal = true;
  const all = [out.artist, out.title, out.event].filter(Boolean).join(' ');
  if (needsRecase(all)) {
    out.recased = true;
    if (out.artist) out.artist = titleCase(out.artist);
    if (out.title) out.title = titleCase(out.title);
    if (out.event) out.event = titleCase(out.event);
  }
  return out;
}

const NOT_AN_ARTIST_FOLDER =
  /^(music|musik|musique|mp3s?|flacs?|audio|incoming|downloads?|new|unsorted|sorted|misc|various|va|other|library|albums?|singles?|tracks?|promos?|sets?|mixes|dj ?sets?|live ?sets?|music library|itunes|itunes media|media|backup|archive|old|temp|tmp|share|complete|completed|\d{4}|[a-z]|0-9|#)$/i;
const DISC_FOLDER = /^(cd|disc|disk|dvd)\s*\d{1,2}$/i;

/** Reads an album folder: `Artist - Album (2004)`, `Artist-Album-WEB-2024-GRP`, or `Artist/Album`. */
export function parseFolders(dirs: string[]): ParsedFolder {
  const d = [...dirs];
  while (d.length && DISC_FOLDER.test(d[d.length - 1].trim())) d.pop();
  const last = d[d.length - 1];
  if (!last) return {};
  const out: ParsedFolder = {};
  let name = last;
  if (!/\s/.test(name) && SCENE_TAIL.test(name)) {
    const tail = SCENE_TAIL.exec(name)!;
    name = tail[1].replace(/_-_/g, ' - ').replace(/_/g, ' ');
    if (!name.includes(' - ')) name = name.replace('-', ' - ');
    const y = /(?:19|20)\d\d/.exec(tail[3] ?? '');
    if (y) out.year = y[0];
    if (needsRecase(name)) name = titleCase(name);
  }
  const year = /[([]\s*((?:19|20)\d\d)\s*[)\]]/.exec(name);
  if (year) {
    out.year ??= year[1];
    name = name.replace(year[0], ' ');
  }
  name = name
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const split = name.split(' - ');
  if (split.length >= 2 && /^(va|v\.a\.|various|various artists)$/i.test(split[0].trim())) {
    out.albumArtist = 'Various Artists';
    out.album = cleanPiece(split.slice(1).join(' - '));
    return out;
  }
  if (split.length >= 2 && split[0].trim() && !NOT_AN_ARTIST_FOLDER.test(split[0].trim())) {
    out.artist = cleanPiece(split[0]);
    out.album = cleanPiece(
      split
        .slice(1)
        .join(' - ')
        .replace(/^(?:19|20)\d\d\s+-\s+/, ''),
    );
    return out;
  }
  if (NOT_AN_ARTIST_FOLDER.test(name)) return {};
  out.album = cleanPiece(name);
  const parent = d[d.length - 2];
  if (parent && !NOT_AN_ARTIST_FOLDER.test(parent.trim())) out.artist = cleanPiece(parent);
  return out;
}
