/**
 * File names on Linux are bytes. The executor works on the exact bytes recorded by ingest (a name that
 * is not valid UTF-8 must still be moved), so every path it touches is a Buffer.
 */
const SLASH = 0x2f;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/** Longest name of one path component in bytes (NAME_MAX on Linux filesystems and most NAS shares). */
export const NAME_MAX_BYTES = 255;
/** Longest whole path in bytes, without the terminating NUL (PATH_MAX − 1). */
export const PATH_MAX_BYTES = 4095;

export function toPathBytes(p: string | Buffer): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
}

/** The path as text for people and logs (NFC; replacement characters where the bytes are not UTF-8). */
export function displayPath(p: Buffer): string {
  try {
    return strictUtf8.decode(p).normalize('NFC');
  } catch {
    return lenientUtf8.decode(p).normalize('NFC');
  }
}

export function dirnameBytes(p: Buffer): Buffer {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  const i = p.lastIndexOf(SLASH, end - 1);
  if (i < 0) return Buffer.from('.');
  if (i === 0) return Buffer.from('/');
  return p.subarray(0, i);
}

export function basenameBytes(p: Buffer): Buffer {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  const i = p.lastIndexOf(SLASH, end - 1);
  return p.subarray(i + 1, end);
}

export function joinBytes(dir: Buffer, name: Buffer | string): Buffer {
  const n = toPathBytes(name);
  if (dir.length && dir[dir.length - 1] === SLASH) return Buffer.concat([dir, n]);
  return Buffer.concat([dir, Buffer.from([SLASH]), n]);
}

/** True when `child` is `parent` or lies below it, on whole path components. */
export function isWithinBytes(parent: Buffer, child: Buffer): boolean {
  if (child.length < parent.length) return false;
  if (!child.subarray(0, parent.length).equals(parent)) return false;
  return child.length === parent.length || child[parent.length] === SLASH || parent[parent.length - 1] === SLASH;
}

/** Why a path cannot exist on the target filesystem, or null when its length is fine. */
export function pathLengthProblem(p: Buffer): string | null {
  if (p.length > PATH_MAX_BYTES) return `path is ${p.length} bytes long (the limit is ${PATH_MAX_BYTES})`;
  let start = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i === p.length || p[i] === SLASH) {
      if (i - start > NAME_MAX_BYTES) {
        return `a folder or file name is ${i - start} bytes long (the limit is ${NAME_MAX_BYTES})`;
      }
      start = i + 1;
    }
  }
  return null;
}

/** Absolute, no NUL, no `.` or `..` components: the only shape of path the executor will write to. */
export function isCleanAbsolute(p: Buffer): boolean {
  if (!p.length || p[0] !== SLASH || p.includes(0)) return false;
  const parts = displayPath(p).split('/');
  return !parts.some((c) => c === '.' || c === '..');
}

/** Same folder and same name but for letter case: a rename a case-insensitive filesystem sees as one name. */
export function differsOnlyInCase(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return false;
  const da = displayPath(a);
  const db = displayPath(b);
  return da.toLowerCase() === db.toLowerCase() || da.toUpperCase() === db.toUpperCase();
}
