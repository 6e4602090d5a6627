import { normaliseOrNull, normaliseText } from '../tags/text';
import { decodeText, type TextEncoding } from './decode-text';

/** Entries of .m3u/.m3u8 and .pls playlists: which files they list, with titles and lengths when given. */
export interface PlaylistEntry {
  /** The path or URL as written (normalised text; never resolved or opened here). */
  location: string;
  title: string | null;
  /** Seconds; null when unknown (m3u writes -1 for that). */
  durationSec: number | null;
}

export interface Playlist {
  format: 'm3u' | 'pls';
  entries: PlaylistEntry[];
  encoding: TextEncoding;
}

const MAX_ENTRIES = 5000;

function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

const duration = (value: string | undefined): number | null => {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** M3U and extended M3U (#EXTINF:seconds,Title before each path). .m3u8 is UTF-8 by definition. */
export function parseM3u(bytes: Uint8Array, utf8 = false): Playlist {
  const decoded = utf8
    ? { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' as const }
    : decodeText(bytes);
  const entries: PlaylistEntry[] = [];
  let pending: { title: string | null; durationSec: number | null } | null = null;
  for (const line of lines(decoded.text)) {
    if (entries.length >= MAX_ENTRIES) break;
    if (line.startsWith('#')) {
      const m = /^#EXTINF:\s*(-?[\d.]+)[^,]*,(.*)$/i.exec(line);
      if (m) pending = { durationSec: duration(m[1]), title: normaliseOrNull(m[2], { maxLength: 512 }) };
      continue;
    }
    const location = normaliseText(line, { maxLength: 4096 });
    if (location) entries.push({ location, title: pending?.title ?? null, durationSec: pending?.durationSec ?? null });
    pending = null;
  }
  return { format: 'm3u', entries, encoding: decoded.encoding };
}

/** PLS: an INI file with FileN, TitleN and LengthN keys. */
export function parsePls(bytes: Uint8Array): Playlist {
  const decoded = decodeText(bytes);
  const byIndex = new Map<number, { location?: string; title?: string | null; durationSec?: number | null }>();
  for (const line of lines(decoded.text)) {
    const m = /^(File|Title|Length)(\d{1,5})\s*=\s*(.*)$/i.exec(line);
    if (!m) continue;
    const index = Number(m[2]);
    if (!byIndex.has(index) && byIndex.size >= MAX_ENTRIES) continue;
    const entry = byIndex.get(index) ?? {};
    const key = m[1].toLowerCase();
    if (key === 'file') entry.location = normaliseText(m[3], { maxLength: 4096 });
    else if (key === 'title') entry.title = normaliseOrNull(m[3], { maxLength: 512 });
    else entry.durationSec = duration(m[3]);
    byIndex.set(index, entry);
  }
  const entries = [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, e]) => e.location)
    .map(([, e]) => ({ location: e.location!, title: e.title ?? null, durationSec: e.durationSec ?? null }));
  return { format: 'pls', entries, encoding: decoded.encoding };
}
