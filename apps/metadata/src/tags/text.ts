import * as iconv from 'iconv-lite';

/**
 * Text from tags and companion files is untrusted data: it is cleaned so it can be stored and shown
 * safely, and it is never interpreted (no templates, no markup, no paths are built from it here).
 * Letters of every script, right-to-left text, emoji and joiners are kept as they are.
 */

/** Longest single-line value kept (artist, title, album, ...), in UTF-16 code units. */
export const FIELD_MAX_CHARS = 1024;
/** Longest multi-line value kept (comments, lyrics-like text). */
export const MULTILINE_MAX_CHARS = 8192;

export interface NormaliseOptions {
  /** Longest result in UTF-16 code units; longer text is cut and ends with "…". */
  maxLength?: number;
  /** Keep line breaks and tabs (comments); otherwise they become single spaces. */
  multiline?: boolean;
}

const PRINTABLE_ASCII = /^[\x21-\x7e][\x20-\x7e]*$|^$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// C0 and C1 controls except tab and line feed (handled apart), DEL, a stray byte-order mark and the
// two non-characters U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF]/g;
const ANY_HIGH_LATIN1 = /[\u0080-\u00FF]/;
// eslint-disable-next-line no-control-regex -- a range that starts at U+0000
const BEYOND_LATIN1 = /[^\u0000-\u00FF]/;
const UTF8_LEAD_THEN_CONTINUATION = /[\u00C2-\u00F4][\u0080-\u00BF]/;
const C1_CONTROLS = /[\u0080-\u009F]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes the two commonest wrong decodings of tag text: UTF-8 bytes read as Latin-1 ("BjÃ¶rk") and
 * Windows-1252 bytes read as Latin-1 (curly quotes turned into C1 controls). RIFF INFO chunks and
 * ID3v1 carry no encoding, and many tools write UTF-8 there. Only text made entirely of Latin-1
 * characters can have been decoded that way, and a Latin-1 reading that also forms valid multi-byte
 * UTF-8 is almost never genuine, so correct text is left alone.
 */
export function repairMojibake(s: string): string {
  if (!ANY_HIGH_LATIN1.test(s) || BEYOND_LATIN1.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  if (UTF8_LEAD_THEN_CONTINUATION.test(s)) {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // not UTF-8 after all; fall through
    }
  }
  if (C1_CONTROLS.test(s)) return iconv.decode(bytes, 'win1252');
  return s;
}

/** Cuts to at most maxLength code units without splitting a surrogate pair; marks the cut with "…". */
export function capText(s: string, maxLength: number): string {
  if (s.length <= maxLength) return s;
  if (maxLength <= 1) return s.slice(0, Math.max(0, maxLength));
  let end = maxLength - 1;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${s.slice(0, end).trimEnd()}…`;
}

/**
 * NFC, trimmed, with NUL and other control characters removed, line breaks turned into spaces (unless
 * multiline), broken UTF-16 replaced by U+FFFD, known wrong decodings repaired, and capped in length.
 */
export function normaliseText(value: string, options: NormaliseOptions = {}): string {
  const multiline = options.multiline ?? false;
  const maxLength = options.maxLength ?? (multiline ? MULTILINE_MAX_CHARS : FIELD_MAX_CHARS);
  // Most tag text is short printable ASCII with nothing to clean: answer it without the regex work.
  if (
    value.length <= maxLength &&
    PRINTABLE_ASCII.test(value) &&
    value.charCodeAt(0) !== 32 &&
    value.charCodeAt(value.length - 1) !== 32
  )
    return value;
  // Cap the work first: a 50 MB string should not be normalised in full to keep 1 KB of it.
  let s = value.length > maxLength * 4 + 64 ? value.slice(0, maxLength * 4 + 64) : value;
  s = repairMojibake(s).replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  if (multiline) {
    s = s
      .replace(/\r\n?|[\v\f\u0085\u2028\u2029]/g, '\n')
      .replace(CONTROL_CHARS, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n');
  } else {
    s = s.replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROL_CHARS, '');
  }
  return capText(s.trim(), maxLength);
}

/** normaliseText, but an empty result becomes null (a tag that holds only spaces or NULs is no tag). */
export function normaliseOrNull(value: unknown, options?: NormaliseOptions): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
  if (text === null) return null;
  const out = normaliseText(text, options);
  return out === '' ? null : out;
}
