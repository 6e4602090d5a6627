import type { StoredTimelineEntry } from '@crateflow/persistence';
import type { TrackInput } from '../repositories/tracklist-store.repository';

/** Unknown stretches at least this long become an "ID" track of their own. */
export const UNKNOWN_MIN_SEC = 30;

export interface RecordingName {
  artist: string | null;
  title: string | null;
  name: string;
}

/**
 * A mix identification's timeline as tracks: each identified recording named from its file's tags (the file
 * name when untagged), with start, end, speed and confidence; unknown stretches of 30 s or more stay visible
 * as unknown ("ID") tracks.
 */
export function tracksFromTimeline(
  entries: readonly StoredTimelineEntry[],
  unknown: readonly { startSec: number; endSec: number }[],
  names: ReadonlyMap<string, RecordingName>,
): TrackInput[] {
  const items: TrackInput[] = [];
  for (const e of entries) {
    const n = names.get(e.contentHash.trim());
    const fallback = n && !n.title ? n.name.replace(/\.[^.]*$/, '') : null;
    items.push({
      position: 0,
      artist: n?.artist ?? null,
      title: n?.title ?? fallback,
      cueSec: e.startSec,
      endSec: e.endSec,
      speed: e.speed,
      confidence: e.confidence,
      unknown: !n,
      recordingHash: e.contentHash.trim(),
    });
  }
  for (const gap of unknown) {
    if (gap.endSec - gap.startSec < UNKNOWN_MIN_SEC) continue;
    items.push({ position: 0, artist: null, title: null, cueSec: gap.startSec, endSec: gap.endSec, unknown: true });
  }
  items.sort((a, b) => (a.cueSec ?? 0) - (b.cueSec ?? 0));
  return items.map((t, i) => ({ ...t, position: i + 1 }));
}

interface ParsedCueTrack {
  performer?: string | null;
  title?: string | null;
  startSec?: number | null;
  file?: string | null;
  type?: string;
}

export interface CueTracklist {
  artist: string | null;
  title: string | null;
  date: string | null;
  tracks: TrackInput[];
}

const text = (v: unknown, max = 500): string | null =>
  typeof v === 'string' && v.trim() ? v.replace(/\s+/g, ' ').trim().slice(0, max) : null;

const baseName = (n: string) => (n.split(/[\\/]/).pop() ?? n).toLowerCase();

/**
 * The tracks of a parsed cue sheet (as the metadata stage stored it) that belong to one media file: all of them
 * for a single-file sheet, else those of the FILE entry naming it. Null when nothing usable is left.
 */
export function tracksFromCue(parsed: Record<string, unknown> | null, mediaName: string): CueTracklist | null {
  if (!parsed || !Array.isArray(parsed.tracks)) return null;
  const all = (parsed.tracks as ParsedCueTrack[]).filter((t) => t && (t.type ?? 'AUDIO').toUpperCase() === 'AUDIO');
  const files = new Set(all.map((t) => (t.file ? baseName(t.file) : '')));
  const mine = files.size > 1 ? all.filter((t) => t.file && baseName(t.file) === baseName(mediaName)) : all;
  const tracks: TrackInput[] = mine
    .filter((t) => text(t.performer) || text(t.title) || typeof t.startSec === 'number')
    .map((t, i) => ({
      position: i + 1,
      artist: text(t.performer),
      title: text(t.title),
      cueSec: typeof t.startSec === 'number' && Number.isFinite(t.startSec) && t.startSec >= 0 ? t.startSec : null,
      unknown: !text(t.performer) && !text(t.title),
    }));
  if (tracks.length === 0) return null;
  const date = text(parsed.date, 40);
  return { artist: text(parsed.performer), title: text(parsed.title), date, tracks };
}
