import type { FileKind } from '@crateflow/contracts';

/** What kind of recording a file is; picks the template. */
export const CATEGORIES = ['album', 'single', 'live', 'festival', 'radioshow', 'unknown'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What the rules (or an LLM) found out about a file. Every field is optional: unknown stays unknown. */
export interface Facts {
  artist?: string;
  albumArtist?: string;
  title?: string;
  album?: string;
  trackNumber?: number;
  discNumber?: string;
  year?: string;
  event?: string;
  venue?: string;
  festival?: string;
  show?: string;
  episode?: string;
  label?: string;
  /** `YYYY.MM.DD` with `xx` for unknown parts. */
  date?: string;
  /** The day and month could be read either way (09.03.2024: 9 March or 3 September). */
  dateAmbiguous?: boolean;
  sourceType?: Category;
  /** The other DJs of a b2b (or vs / &) set, in order. */
  b2b?: string[];
}

/**
 * Everything the proposer knows about one file, assembled from the tables the other stages own. This is
 * exactly what is stored with the proposal (and, for an LLM, what is sent), so it holds no secrets and
 * every text in it is untrusted.
 */
export interface ProposalContext {
  file: {
    id: string;
    /** Path relative to the library root, `/`-separated. */
    path: string;
    name: string;
    /** Extension exactly as on disk, without the dot. */
    ext: string;
    kind: FileKind;
    sizeBytes?: number;
  };
  tags: {
    artist?: string;
    albumArtist?: string;
    title?: string;
    album?: string;
    trackNumber?: number;
    discNumber?: number;
    year?: number;
    date?: string;
    genres?: string[];
    label?: string;
    comment?: string;
  };
  stream: { durationSec?: number; codec?: string; bitrate?: number; lossless?: boolean };
  analysis?: { bpm?: number; key?: string; camelot?: string; energy?: number; lufs?: number };
  /** Companion texts (cue, nfo, txt) with ASCII art stripped, capped in total. */
  companions: { name: string; kind: string; text: string }[];
  /** Other files with the same recording (fingerprint), with their tags. */
  siblings: { path: string; artist?: string; title?: string; album?: string }[];
  /** For a mix: its identified tracklist, when there is one. */
  tracklist?: { tracks: { artist?: string; title?: string; startSec?: number }[] };
}

export interface RuleProposal {
  category: Category;
  facts: Facts;
  /** Folder relative to the output root; null = stays in its folder. */
  folder: string | null;
  name: string;
  confidence: number;
  reason: string;
}
