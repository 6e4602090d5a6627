import { EXTENSIONS_BY_KIND } from './file-kinds';

/**
 * What makes a proposed folder and file name acceptable, shared by the proposer (before it stores a
 * proposal), the gateway (before it stores a person's edit) and the executor (defence in depth). The rules
 * are the union of what Windows, macOS and Linux refuse, because an archive moves between them:
 *
 * - relative, `/`-separated, no `.` or `..` component, no drive letter or UNC prefix;
 * - no control characters and no bidirectional-override characters (they make a name read differently
 *   from what it is);
 * - none of `<>:"|?*\` and no Windows device names (`CON`, `NUL`, `COM1`, … with or without extension);
 * - no component ending in a dot or a space; each component at most 255 bytes of UTF-8, the whole path at
 *   most 1,024 bytes;
 * - Unicode NFC; the file's extension exactly as it was.
 *
 * Cosmetic problems are repaired (and each repair is reported); anything that suggests an escape (an
 * absolute path, `..`) or cannot be repaired leaves the proposal invalid with the reason.
 */
export const MAX_COMPONENT_BYTES = 255;
export const MAX_PATH_BYTES = 1024;

// C0, DEL, C1 controls; bidi embeddings/overrides/isolates and marks; BOM; line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
const FORBIDDEN: Record<string, string> = {
  '<': '(',
  '>': ')',
  ':': ' -',
  '"': "'",
  '|': '-',
  '?': '',
  '*': '',
  '\\': '-',
  '/': '-',
};
const FORBIDDEN_RE = /[<>:"|?*\\/]/g;
const MEDIA_EXTENSIONS = new Set([...EXTENSIONS_BY_KIND.music, ...EXTENSIONS_BY_KIND.video]);

export type PathCheck =
  | { ok: true; folder: string | null; name: string; repairs: string[] }
  | { ok: false; folder: string | null; name: string; reason: string; repairs: string[] };

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a code point (or a surrogate pair). */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Length(s) <= maxBytes) return s;
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/**
 * Makes one value (an artist, a title) safe to stand inside a single path component: NFC, no control or
 * bidi characters, forbidden characters replaced, separators never left in, whitespace collapsed, no
 * leading/trailing dots or spaces. May return '' (then the caller treats the value as unknown).
 */
export function sanitizeComponentText(value: string): string {
  const s = value
    .normalize('NFC')
    .replace(CONTROL, ' ')
    .replace(BIDI, '')
    .replace(FORBIDDEN_RE, (c) => FORBIDDEN[c])
    .replace(/\s+/g, ' ')
    .trim();
  // Dots inside or at the end of a value are fine ("P.E.T.R.O.L."); a value of only dots never is.
  return /^[\s.]*$/.test(s) ? '' : s.replace(/^\.+/, '');
}

function repairComponent(raw: string, repairs: string[], what: string): string {
  let c = raw.normalize('NFC');
  if (c !== raw) repairs.push(`${what}: normalised to NFC`);
  // A line break or tab in a name stood between two words ("Hungarian Dance\nno 5"): it becomes a space,
  // collapsed below; other control characters carry nothing and are dropped.
  const noControl = c
    .replace(/[\t\n\v\f\r]+/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');
  if (noControl !== c) repairs.push(`${what}: removed control or bidi characters`);
  c = noControl;
  const noForbidden = c.replace(FORBIDDEN_RE, (x) => FORBIDDEN[x]);
  if (noForbidden !== c) repairs.push(`${what}: replaced characters Windows refuses`);
  c = noForbidden.replace(/\s+/g, ' ');
  const trimmed = c.replace(/^\s+/, '').replace(/[\s.]+$/, '');
  if (trimmed !== c) repairs.push(`${what}: removed leading spaces or trailing dots and spaces`);
  c = trimmed;
  const stem = c.split('.')[0];
  if (WINDOWS_RESERVED.test(stem.trim())) {
    repairs.push(`${what}: "${stem}" is a Windows device name`);
    c = `${stem}_${c.slice(stem.length)}`;
  }
  return c;
}

/**
 * Checks a proposed folder (null: the file stays in its folder) and name for a file whose original
 * extension (exact case, without the dot) is `originalExt`. Repairs what is safe to repair.
 */
export function checkProposedPath(folder: string | null, name: string, originalExt: string): PathCheck {
  const repairs: string[] = [];
  const fail = (reason: string, f: string | null = folder, n: string = name): PathCheck => ({
    ok: false,
    folder: f,
    name: n,
    reason,
    repairs,
  });
  if (typeof name !== 'string' || (folder !== null && typeof folder !== 'string')) return fail('not text');

  let cleanFolder: string | null = null;
  if (folder !== null) {
    const f = folder.normalize('NFC');
    if (/^[/\\]/.test(f) || /^[a-zA-Z]:/.test(f) || /^~/.test(f)) {
      return fail('the folder is an absolute path; proposals are relative to the output folder');
    }
    // Backslashes are separators on Windows: treat them as such before looking for `..`.
    const parts = f.split(/[/\\]/);
    if (parts.some((p) => p.trim() === '..' || /^\.\.[\s.]*$/.test(p.trim()))) {
      return fail('the folder climbs out with ".."');
    }
    const kept: string[] = [];
    for (const p of parts) {
      if (p.trim() === '' || p.trim() === '.') {
        if (p !== '') repairs.push('folder: dropped an empty or "." component');
        continue;
      }
      const c = repairComponent(p, repairs, 'folder');
      if (c === '') {
        repairs.push('folder: dropped a component that was only dots, spaces or forbidden characters');
        continue;
      }
      if (utf8Length(c) > MAX_COMPONENT_BYTES) {
        repairs.push(`folder: shortened a component to ${MAX_COMPONENT_BYTES} bytes`);
        kept.push(truncateUtf8(c, MAX_COMPONENT_BYTES).replace(/[\s.]+$/, ''));
        continue;
      }
      kept.push(c);
    }
    if (
      f.split(/[/\\]/).some((p) => p === '') &&
      f !== '' &&
      !repairs.includes('folder: dropped an empty or "." component')
    ) {
      repairs.push('folder: dropped an empty component');
    }
    cleanFolder = kept.length ? kept.join('/') : null;
    if (cleanFolder === null) repairs.push('folder: nothing usable left; the file stays in its folder');
  }

  if (/[/\\]/.test(name)) {
    const parts = name.split(/[/\\]/);
    if (parts.some((p) => p.trim() === '..')) return fail('the name climbs out with ".."', cleanFolder);
    repairs.push('name: replaced path separators');
  }
  let n = repairComponent(name, repairs, 'name');
  if (n.toLowerCase() === `.${originalExt}`.toLowerCase()) return fail('the name is empty', cleanFolder, n);
  n = n.replace(/^[\s.]+/, '');

  // The extension stays exactly what it was; a different media extension is replaced, never added to.
  const wantedExt = originalExt.normalize('NFC');
  if (wantedExt === '' || /[/\\]/.test(wantedExt) || wantedExt.includes('\u0000'))
    return fail('the original file has no usable extension', cleanFolder, n);
  const suffix = `.${wantedExt}`;
  if (!n.endsWith(suffix)) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 ? n.slice(dot + 1) : '';
    if (ext && (ext.toLowerCase() === wantedExt.toLowerCase() || MEDIA_EXTENSIONS.has(ext.toLowerCase()))) {
      n = n.slice(0, dot);
    }
    n = n.replace(/[\s.]+$/, '') + suffix;
    repairs.push('name: restored the original extension');
  }
  let stem = n.slice(0, n.length - suffix.length).replace(/[\s.]+$/, '');
  if (stem === '') return fail('the name is empty', cleanFolder, n);
  if (WINDOWS_RESERVED.test(stem)) stem = `${stem}_`;
  if (utf8Length(stem + suffix) > MAX_COMPONENT_BYTES) {
    if (utf8Length(suffix) >= MAX_COMPONENT_BYTES - 8) return fail('the extension alone is too long', cleanFolder, n);
    stem = truncateUtf8(stem, MAX_COMPONENT_BYTES - utf8Length(suffix)).replace(/[\s.]+$/, '');
    repairs.push(`name: shortened to ${MAX_COMPONENT_BYTES} bytes`);
  }
  n = stem + suffix;

  const whole = cleanFolder ? `${cleanFolder}/${n}` : n;
  if (utf8Length(whole) > MAX_PATH_BYTES) {
    return fail(`the path is longer than ${MAX_PATH_BYTES} bytes`, cleanFolder, n);
  }
  return { ok: true, folder: cleanFolder, name: n, repairs };
}

/**
 * The key destinations are compared by: NFC and case-folded, so two proposals that would land on one file
 * of a case-insensitive drive collide. `currentFolder` (relative to the file's library root) stands in for
 * a null folder ("stays where it is"), in a namespace of its own.
 */
export function destinationKey(folder: string | null, name: string, currentFolder: string): string {
  const where = folder === null ? `=${currentFolder}` : folder;
  return `${where}/${name}`.normalize('NFC').toLowerCase();
}
