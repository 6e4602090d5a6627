/**
 * Companion texts (.cue, .nfo, .txt). The text is untrusted: it is only ever read for a few labelled
 * values, never followed as instructions, and every value still passes the template sanitiser and the path
 * check before it can become part of a name.
 */
export interface CompanionFacts {
  artist?: string;
  title?: string;
  album?: string;
  date?: string;
  event?: string;
  venue?: string;
  label?: string;
}

const DEFAULT_CAP = 3000;

/**
 * Drops ASCII/ANSI art and box drawing from an nfo: lines where letters and digits are a small share of
 * what is printed, and decorative runs inside lines. Keeps the order of what is left; caps the length.
 */
export function stripAsciiArt(text: string, cap = DEFAULT_CAP): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n');
  const kept: string[] = [];
  for (const raw of lines) {
    const line = raw
      .replace(/[\u2500-\u259f\u25a0-\u25ff░▒▓█▄▀■]+/g, ' ')
      .replace(/([^\p{L}\p{N}\s])\1{2,}/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (!line) continue;
    const printable = line.replace(/\s/g, '').length;
    const words = (line.match(/[\p{L}\p{N}]/gu) ?? []).length;
    if (printable === 0 || words / printable < 0.5) continue;
    kept.push(line);
  }
  const out = kept.join('\n');
  return out.length > cap ? out.slice(0, cap) : out;
}

const unquote = (s: string) =>
  s
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();

/** The release-level PERFORMER / TITLE / REM DATE of a cue sheet (before its first TRACK). */
export function readCue(text: string): CompanionFacts {
  const head = text.split(/^\s*TRACK\s+\d+/im)[0];
  const out: CompanionFacts = {};
  const performer = /^\s*PERFORMER\s+(.+)$/im.exec(head);
  const title = /^\s*TITLE\s+(.+)$/im.exec(head);
  const date = /^\s*REM\s+DATE\s+(.+)$/im.exec(head);
  if (performer) out.artist = unquote(performer[1]);
  if (title) out.title = unquote(title[1]);
  if (date) out.date = unquote(date[1]);
  return out;
}

const NFO_KEYS: [RegExp, keyof CompanionFacts][] = [
  [/^(?:artist|performer|dj|act)s?$/i, 'artist'],
  [/^(?:title|track|name)$/i, 'title'],
  [/^(?:album|release)$/i, 'album'],
  [/^(?:date|recorded|rec(?:orded)?\.? date|air ?date|broadcast date)$/i, 'date'],
  [/^(?:event|party|festival|show)$/i, 'event'],
  [/^(?:venue|location|club|place)$/i, 'venue'],
  [/^(?:label|publisher)$/i, 'label'],
];

/** `Key: value` / `Key ..... value` lines of an nfo or txt. */
export function readNfo(text: string): CompanionFacts {
  const out: CompanionFacts = {};
  for (const line of text.split('\n').slice(0, 200)) {
    const m = /^\s*([A-Za-z][A-Za-z .]{1,24}?)\s*(?::|\.{2,}|\s-\s|=)\s*(.{1,200})$/.exec(line);
    if (!m) continue;
    const key = m[1].trim();
    const value = m[2].trim().replace(/^[.:\s]+/, '');
    if (!value) continue;
    for (const [re, field] of NFO_KEYS) {
      if (re.test(key) && out[field] === undefined) {
        out[field] = value;
        break;
      }
    }
  }
  return out;
}

export function readCompanions(companions: { kind: string; name: string; text: string }[]): CompanionFacts {
  const out: CompanionFacts = {};
  for (const c of companions) {
    const ext = c.name.toLowerCase().split('.').pop();
    const facts = ext === 'cue' || c.kind === 'cue' ? readCue(c.text) : readNfo(c.text);
    for (const [k, v] of Object.entries(facts) as [keyof CompanionFacts, string][]) {
      if (v && out[k] === undefined) out[k] = v;
    }
  }
  return out;
}
