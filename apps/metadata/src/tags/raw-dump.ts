import { normaliseText } from './text';

/**
 * Every native tag as the file holds it, made safe to store as JSON: binary blobs (pictures, private
 * frames) become a note of their size, strings are normalised and capped, nesting and counts are
 * bounded, and the whole dump has a size limit. Enough to show a person "what is in this file".
 */
export type RawValue =
  string | number | boolean | null | { binary: true; bytes: number } | RawValue[] | { [key: string]: RawValue };

export interface RawTagEntry {
  id: string;
  value: RawValue;
}

export interface RawTagDump {
  /** Entries per tag type ("ID3v2.4", "vorbis", "iTunes", ...), in file order. */
  tags: Record<string, RawTagEntry[]>;
  /** Some entries or values were left out or cut to keep the dump within its limits. */
  truncated: boolean;
}

export interface RawDumpLimits {
  maxStringChars: number;
  maxEntriesPerType: number;
  maxArrayItems: number;
  maxObjectKeys: number;
  maxDepth: number;
  /** Rough upper bound of the dump's JSON size in characters. */
  maxTotalChars: number;
}

export const DEFAULT_RAW_DUMP_LIMITS: RawDumpLimits = {
  maxStringChars: 2048,
  maxEntriesPerType: 256,
  maxArrayItems: 64,
  maxObjectKeys: 32,
  maxDepth: 4,
  maxTotalChars: 64 * 1024,
};

export function sanitiseRawTags(
  native: Record<string, { id: string; value: unknown }[]>,
  limits: RawDumpLimits = DEFAULT_RAW_DUMP_LIMITS,
): RawTagDump {
  const state = { truncated: false, chars: 0 };
  const tags: Record<string, RawTagEntry[]> = {};

  const clean = (value: unknown, depth: number): RawValue | undefined => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') {
      const s = normaliseText(value, { multiline: true, maxLength: limits.maxStringChars });
      if (s.length < value.length && value.trim().length > limits.maxStringChars) state.truncated = true;
      return s;
    }
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'bigint') return value.toString();
    if (ArrayBuffer.isView(value)) return { binary: true, bytes: value.byteLength };
    if (value instanceof ArrayBuffer) return { binary: true, bytes: value.byteLength };
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (depth >= limits.maxDepth) {
      state.truncated = true;
      return null;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayItems) state.truncated = true;
      return value.slice(0, limits.maxArrayItems).map((v) => clean(v, depth + 1) ?? null);
    }
    if (typeof value === 'object') {
      const out: Record<string, RawValue> = {};
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > limits.maxObjectKeys) state.truncated = true;
      for (const [k, v] of entries.slice(0, limits.maxObjectKeys)) {
        const cleaned = clean(v, depth + 1);
        if (cleaned !== undefined) out[normaliseText(k, { maxLength: 128 })] = cleaned;
      }
      return out;
    }
    return undefined; // functions, symbols: not data
  };

  outer: for (const [type, list] of Object.entries(native)) {
    const entries: RawTagEntry[] = [];
    tags[normaliseText(type, { maxLength: 64 })] = entries;
    if (list.length > limits.maxEntriesPerType) state.truncated = true;
    for (const { id, value } of list.slice(0, limits.maxEntriesPerType)) {
      const entry = { id: normaliseText(String(id), { maxLength: 256 }), value: clean(value, 0) ?? null };
      const size = entry.id.length + approximateSize(entry.value);
      if (state.chars + size > limits.maxTotalChars) {
        state.truncated = true;
        break outer;
      }
      state.chars += size;
      entries.push(entry);
    }
  }
  return { tags, truncated: state.truncated };
}

/** Roughly the JSON length of a value, without building the JSON (this runs for every tag of every file). */
function approximateSize(value: RawValue): number {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return 8;
  if (typeof value === 'string') return value.length + 8;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + approximateSize(v) + 1, 2);
  let sum = 2;
  for (const [k, v] of Object.entries(value)) sum += k.length + 4 + approximateSize(v as RawValue);
  return sum;
}
