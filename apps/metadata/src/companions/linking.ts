import { classifyFileName, extensionOf } from '@crateflow/contracts';

/**
 * Which media files a companion belongs to, from the names in one folder. Pure: the caller lists the
 * folder (and passes the FILE lines of its cue sheets); nothing is read here.
 *
 * - `cue-file`: a .cue whose FILE line names a media file of the folder links to that file (by exact
 *   name, else by the same base name: rippers write "set.wav" into sheets for files later encoded to FLAC).
 * - `same-name`: a companion whose base name matches a media file (`set.cue` ↔ `set.mp3`, also
 *   `set.mp3.cue`), compared case-insensitively, links to that file alone.
 * - `folder`: folder-level companions link to every media file of the folder: images that match no
 *   media file (cover.jpg, folder.jpg, scans), checksum lists (.sfv, .md5), playlists (.m3u, .m3u8,
 *   .pls), an .nfo or .txt that is the only unmatched one of its kind, and an unmatched .cue when the
 *   folder holds a single media file.
 * - `none`: anything else (several unmatched .nfo files, a folder without media), so it can be shown.
 */
export type LinkRule = 'cue-file' | 'same-name' | 'folder' | 'none';

export interface CompanionLink {
  companion: string;
  /** Media file names of the folder, sorted; empty for rule `none`. */
  media: string[];
  rule: LinkRule;
}

export interface LinkOptions {
  /** The FILE entries of each cue sheet, keyed by the cue's file name in the folder. */
  cueFiles?: Readonly<Record<string, readonly string[]>>;
}

const FOLDER_LEVEL_EXTENSIONS = new Set(['sfv', 'md5', 'm3u', 'm3u8', 'pls']);
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif']);
const LONE_TEXT_EXTENSIONS = new Set(['nfo', 'txt']);

/** Case-insensitive and independent of Unicode composition (macOS volumes store names decomposed). */
const fold = (name: string) => name.normalize('NFC').toLowerCase();

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The last path segment of a FILE entry, whichever separator the sheet's author used. */
function baseName(reference: string): string {
  const parts = reference.split(/[\\/]/);
  return parts[parts.length - 1];
}

export function linkCompanions(fileNames: readonly string[], options: LinkOptions = {}): CompanionLink[] {
  const media = fileNames.filter((n) => {
    const kind = classifyFileName(n);
    return kind === 'music' || kind === 'video';
  });
  const companions = fileNames.filter((n) => classifyFileName(n) === 'companion').sort();
  const mediaByName = new Map(media.map((m) => [fold(m), m]));
  const mediaByStem = new Map<string, string[]>();
  for (const m of media) {
    const key = fold(stem(m));
    mediaByStem.set(key, [...(mediaByStem.get(key) ?? []), m]);
  }
  const cueFiles = new Map(Object.entries(options.cueFiles ?? {}).map(([k, v]) => [fold(k), v]));

  const matchByName = (companion: string): string[] => {
    const s = fold(stem(companion));
    const exact = mediaByName.get(s); // "set.mp3.cue"
    return exact ? [exact] : (mediaByStem.get(s) ?? []);
  };
  const matchByCue = (companion: string): string[] => {
    const found = new Set<string>();
    for (const ref of cueFiles.get(fold(companion)) ?? []) {
      const base = fold(baseName(ref));
      const exact = mediaByName.get(base);
      if (exact) found.add(exact);
      else for (const m of mediaByStem.get(fold(stem(baseName(ref)))) ?? []) found.add(m);
    }
    return [...found];
  };

  const links: CompanionLink[] = companions.map((companion) => {
    const ext = extensionOf(companion);
    if (ext === 'cue') {
      const byCue = matchByCue(companion);
      if (byCue.length > 0) return { companion, media: byCue.sort(), rule: 'cue-file' };
    }
    const byName = matchByName(companion);
    if (byName.length > 0) return { companion, media: [...byName].sort(), rule: 'same-name' };
    return { companion, media: [], rule: 'none' };
  });

  const allMedia = [...media].sort();
  const unmatchedTextCount = new Map<string, number>();
  for (const link of links) {
    const ext = extensionOf(link.companion);
    if (link.rule === 'none' && LONE_TEXT_EXTENSIONS.has(ext))
      unmatchedTextCount.set(ext, (unmatchedTextCount.get(ext) ?? 0) + 1);
  }
  if (allMedia.length === 0) return links;
  return links.map((link) => {
    if (link.rule !== 'none') return link;
    const ext = extensionOf(link.companion);
    const folderLevel =
      IMAGE_EXTENSIONS.has(ext) ||
      FOLDER_LEVEL_EXTENSIONS.has(ext) ||
      (LONE_TEXT_EXTENSIONS.has(ext) && unmatchedTextCount.get(ext) === 1) ||
      (ext === 'cue' && allMedia.length === 1);
    return folderLevel ? { ...link, media: allMedia, rule: 'folder' } : link;
  });
}
