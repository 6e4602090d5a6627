/**
 * File names on Linux are bytes, not text. Crateflow identifies a file by the exact bytes of its path
 * and shows the Unicode NFC form; a name that is not valid UTF-8 is shown with replacement characters
 * but stays reachable through its bytes.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

export interface DisplayPath {
  text: string;
  isUtf8: boolean;
}

export function displayPath(bytes: Buffer): DisplayPath {
  try {
    return { text: strictUtf8.decode(bytes).normalize('NFC'), isUtf8: true };
  } catch {
    return { text: lenientUtf8.decode(bytes).normalize('NFC'), isUtf8: false };
  }
}

export const SLASH = 0x2f;

export function joinBytes(dir: Buffer, name: Buffer): Buffer {
  if (dir.length && dir[dir.length - 1] === SLASH) return Buffer.concat([dir, name]);
  return Buffer.concat([dir, Buffer.from([SLASH]), name]);
}

/** True when `child` is `parent` or lies below it (byte-wise, on whole path components). */
export function isWithin(parent: Buffer, child: Buffer): boolean {
  if (child.length < parent.length) return false;
  if (!child.subarray(0, parent.length).equals(parent)) return false;
  return child.length === parent.length || child[parent.length] === SLASH || parent[parent.length - 1] === SLASH;
}
