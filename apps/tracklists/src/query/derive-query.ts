import { extractDate, type NameDate } from './dates';
import { repairMojibake } from './mojibake';

/** What a messy file name says about a set, ready to search for and to score results against. */
export interface SetQuery {
  /** The performer(s) ("Adam Beyer b2b Cirez D"), or null when the name did not say. */
  artist: string | null;
  /** The event, venue, show or festival, or null. */
  event: string | null;
  date: NameDate | null;
  /** The text to type into the search form. */
  text: string;
  /** The cleaned name the parts were read from. */
  cleaned: string;
}

/** Recording sources, qualities and formats that scene and trader names carry as tags. */
const TAG_WORDS = new Set(
  [
    'sbd',
    'aud',
    'fm',
    'dab',
    'dvb',
    'sat',
    'cable',
    'line',
    'stream',
    'web',
    'webrip',
    'web-dl',
    'cd',
    'cdr',
    'cdm',
    'cds',
    'vinyl',
    'vls',
    'promo',
    'retail',
    'proper',
    'repack',
    'internal',
    'readnfo',
    'read nfo',
    'bootleg',
    'flac',
    'mp3',
    'aac',
    'm4a',
    'ogg',
    'opus',
    'wav',
    'aiff',
    'alac',
    'lossless',
    'vbr',
    'cbr',
    'v0',
    'v2',
    '320',
    '320k',
    '320kbps',
    '256',
    '256k',
    '256kbps',
    '192',
    '192k',
    '192kbps',
    '128k',
    '128kbps',
    'kbps',
    '16bit',
    '24bit',
    '16-44',
    '24-48',
    '24-96',
    '44khz',
    '48khz',
    'hq',
    'hd',
    'hdtv',
    'live',
    'full',
    'split',
    'tracked',
    'untracked',
    'mixed',
    'mix',
    'dj mix',
    'dj set',
    'set',
    'rip',
    'webcast',
  ].map((w) => w.toLowerCase()),
);
// Tags that only count as tags inside brackets or scene tails (they are ordinary words elsewhere).
const BRACKET_ONLY = new Set([
  'live',
  'full',
  'mix',
  'mixed',
  'set',
  'dj mix',
  'dj set',
  'split',
  'tracked',
  'untracked',
  'hd',
  'hq',
  'promo',
  'vinyl',
  'cd',
]);

const AUDIO_EXT =
  /\.(mp3|flac|wav|aiff?|m4a|aac|ogg|oga|opus|wma|ape|wv|alac|mp4|m4v|mkv|webm|mov|avi|ts|mpc|dsf|dff)$/i;

function isTag(token: string): boolean {
  const t = token.toLowerCase().trim();
  if (!t) return true;
  if (TAG_WORDS.has(t)) return true;
  if (/^\d{2,4}\s?k(bps)?$/.test(t)) return true;
  if (/^(19|20)\d\d$/.test(t)) return true;
  return false;
}

function isTagGroup(content: string): boolean {
  const parts = content.split(/[\s,+/_-]+/).filter(Boolean);
  return parts.length > 0 && parts.every((p) => isTag(p) || /^\d+(\.\d+)?$/.test(p));
}

const PLACEHOLDER_ARTIST = /^(unknown( artist)?|various( artists)?|va|n\/?a|no artist|artist|dj|untitled|none|\?+)$/i;

/** A marker that says the left side of " - " is a show, not a performer. */
const SHOW_MARKER =
  /\b(essential mix|radio show|podcast|episode|ep\.?\s*\d+|a state of trance|asot|group therapy|global dj broadcast|boiler room|resident advisor|ra\.\d+|bbc radio|radio \d|live @|live at|festival)\b/i;

/** Splits "Artist Live @ Event", "Artist @ Event", "Artist - Event" into performer and event. */
function splitArtistEvent(text: string): { artist: string | null; event: string | null } {
  const at = /\s+(?:-\s+)?(?:(?:live|dj[\s-]?set|set|recorded)\s+)?(?:@|at|live\s+@|live\s+at)\s+/i;
  const live = /^(.*?)\s*(?:-\s*)?(?:\blive\s*(?:@|at)\b|@)\s*(.+)$/i.exec(text);
  if (live && live[1].trim()) return { artist: tidy(live[1]), event: tidy(live[2]) };
  const dash = text.indexOf(' - ');
  if (dash > 0) {
    let artist = tidy(text.slice(0, dash));
    let event = tidy(text.slice(dash + 3));
    // "Radio 1 Essential Mix - Carl Cox": the show came first.
    if (artist && event && SHOW_MARKER.test(artist) && !SHOW_MARKER.test(event)) [artist, event] = [event, artist];
    if (event) {
      // "Artist - Live at Event" after a dash.
      const inner = at.exec(' ' + event);
      if (inner && inner.index === 0) event = tidy((' ' + event).slice(inner[0].length));
    }
    return { artist: artist || null, event: event || null };
  }
  return { artist: tidy(text) || null, event: null };
}

function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—_.,;:|~]+|[\s\-–—_.,;:|~@]+$/g, '')
    .replace(/^(live|dj set)\s*(@|at)\s*/i, '')
    .replace(/\s+(live|dj[\s-]?set|set|live set|recorded)$/i, '')
    .replace(/^[\s\-–—_.,;:|~]+|[\s\-–—_.,;:|~@]+$/g, '')
    .trim();
}

/**
 * Derives the search query from a file name (with or without folders and extension): repairs mojibake, drops
 * the extension, bracketed source tags (`[SBD]`, `(WEB)`), leading track numbers and trailing release-group
 * and quality tags, takes the date out, and splits performer from event on "Live @"/"@" or the first " - ".
 */
export function deriveQuery(fileName: string): SetQuery {
  let text = repairMojibake(fileName.split(/[\\/]/).pop() ?? fileName);
  text = text.replace(AUDIO_EXT, '').replace(/\.[a-z0-9]{2,4}$/i, (m) => (/^\.\d+$/.test(m) ? m : ''));
  // Scene style: underscores for spaces; dots for spaces when the name has none (keeping dots inside dates).
  text = text.replace(/_/g, ' ');
  if (!/\s/.test(text.trim())) text = text.replace(/(?<!\d)\.|\.(?!\d)/g, ' ');
  text = text
    .replace(/[\p{Cc}\u{e000}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

  // Control characters were replaced above, so a private-use character can stand in for the date.
  // Dates inside bracket groups count too; take the date before tags go.
  const date = extractDate(text);
  if (date) {
    // "Event-SAT-2019-12-07-GRP" keeps its hyphen chain; elsewhere the date becomes a space.
    text = text
      .replace(date.matched, '\u{e000}')
      .replace(/(-?)\s*\u{e000}\s*(-?)/u, (_m, a: string, b: string) => (a && b ? '-' : a ? ' - ' : ' '));
  }

  // Bracket groups: source tags go; other bracketed text stays, without its brackets.
  text = text.replace(/[[({]([^\])}]*)[\])}]/g, (_m, inner: string) => (isTagGroup(inner) ? ' ' : ` ${inner} `));
  text = text.replace(/[[\](){}]/g, ' ');

  // Leading track numbers ("01 - ", "02. ", "A1 "), never a year.
  text = text.replace(/^\s*(?:[A-D]?\d{1,3}|\d{1,3}[A-D]?)(?:\s*[.)-]\s*|\s+)(?=\D)/i, (m) =>
    /^\s*(19|20)\d\d/.test(m) ? m : '',
  );

  // Scene tails "-SAT-2019-GRP" / " - WEB - FLAC": strip tags, and a final release group after them.
  text = stripTail(text);

  text = text.replace(/\s+/g, ' ').trim();
  const split = splitArtistEvent(text);
  // Placeholders say nothing about who played; the artist then does not count (and caps the score).
  const artist = split.artist && PLACEHOLDER_ARTIST.test(split.artist) ? null : split.artist;
  const event = split.event;
  const parts = [artist, event].filter(Boolean);
  return { artist, event, date, text: parts.join(' ').slice(0, 200), cleaned: text };
}

function stripTail(input: string): string {
  let text = input.trim();
  for (let guard = 0; guard < 12; guard++) {
    // A hyphen-joined tail like "Event-SBD-GRP" (no spaces) or a spaced " - TAG".
    const spaced = /\s+[-–]\s+([^\s-][^-]*)$/.exec(text);
    const joined = /-([A-Za-z0-9]+)$/.exec(text);
    const loose = /\s+(\S+)$/.exec(text);
    const candidates = [joined, spaced, loose].filter((m): m is RegExpExecArray => !!m);
    let cut = false;
    for (const m of candidates) {
      const token = m[1].trim();
      const tag = isTag(token) && (m !== loose || !BRACKET_ONLY.has(token.toLowerCase()));
      if (tag) {
        text = text.slice(0, m.index).trim();
        cut = true;
        break;
      }
    }
    if (!cut) break;
  }
  // A release group ends a scene name that carried tags: "Artist-Live at Event-SAT-2019-GRP" → now "...-GRP"
  // remains after the tags were cut from its left only when tags sat before it, so look for "-TAG-GROUP".
  const group = /-((?:[A-Za-z0-9]+-)*)([A-Za-z0-9]{2,12})$/.exec(text);
  if (group && group[1]) {
    const middle = group[1].split('-').filter(Boolean);
    if (middle.length && middle.every((t) => isTag(t))) return stripTail(text.slice(0, group.index));
  }
  return text;
}
