import type { AudioMetadata } from './music-metadata.adapter';

/**
 * The result the fast readers build, shaped like music-metadata's so read-tags.ts turns both into
 * the same TagReadResult. Native tags are kept exactly as music-metadata lists them (ids, value
 * shapes, order), and the common fields read-tags.ts uses are derived from them with the same rules
 * music-metadata applies: which native keys feed a field, the order of precedence between tag types,
 * how artist and artists fill each other, how "3/12" and a date's year are read. Common fields that
 * read-tags.ts never reads are not built.
 */

/** Common fields read-tags.ts uses (fields.ts and the cover flag) and the ones that feed them. */
type CommonId =
  | 'title'
  | 'artist'
  | 'artists'
  | 'albumartist'
  | 'albumartists'
  | 'album'
  | 'date'
  | 'year'
  | 'comment'
  | 'track'
  | 'disk'
  | 'totaltracks'
  | 'totaldiscs'
  | 'genre'
  | 'label'
  | 'isrc'
  | 'bpm'
  | 'key'
  | 'picture';

/** Fields that hold one value; the rest are lists. `unique` lists skip a value they already hold. */
const SINGLE: ReadonlySet<CommonId> = new Set([
  'title',
  'artist',
  'albumartist',
  'album',
  'date',
  'year',
  'track',
  'disk',
  'totaltracks',
  'totaldiscs',
  'bpm',
  'key',
]);
const UNIQUE_LISTS: ReadonlySet<CommonId> = new Set(['artists', 'albumartists', 'genre', 'label', 'picture']);

/** Vorbis comment keys (upper case, as the readers hand them over) feeding the fields above. */
export const VORBIS_COMMON: Readonly<Record<string, CommonId>> = {
  TITLE: 'title',
  ARTIST: 'artist',
  ARTISTS: 'artists',
  ALBUMARTIST: 'albumartist',
  'ALBUM ARTIST': 'albumartist',
  ALBUM: 'album',
  DATE: 'date',
  COMMENT: 'comment',
  DESCRIPTION: 'comment',
  TRACKNUMBER: 'track',
  DISCNUMBER: 'disk',
  GENRE: 'genre',
  METADATA_BLOCK_PICTURE: 'picture',
  LABEL: 'label',
  ORGANIZATION: 'label',
  PUBLISHER: 'label',
  TRACKTOTAL: 'totaltracks',
  TOTALTRACKS: 'totaltracks',
  DISCTOTAL: 'totaldiscs',
  TOTALDISCS: 'totaldiscs',
  BPM: 'bpm',
  KEY: 'key',
  ISRC: 'isrc',
  DISCOGS_ARTISTS: 'artists',
  DISCOGS_ARTIST_NAME: 'artists',
  DISCOGS_ALBUM_ARTISTS: 'albumartist',
  DISCOGS_LABEL: 'label',
  DISCOGS_RELEASED: 'date',
  STYLE: 'genre',
};

/** ID3v2.3/2.4 frame ids (upper case; TXXX with its description) feeding the fields above. */
export const ID3V2_COMMON: Readonly<Record<string, CommonId>> = {
  TIT2: 'title',
  TPE1: 'artist',
  'TXXX:ARTISTS': 'artists',
  TPE2: 'albumartist',
  TALB: 'album',
  TDRV: 'date',
  TDRC: 'date',
  TYER: 'year',
  TPOS: 'disk',
  TRCK: 'track',
  TCON: 'genre',
  APIC: 'picture',
  TPUB: 'label',
  TBPM: 'bpm',
  TSRC: 'isrc',
  'TXXX:ISRC': 'isrc',
  TKEY: 'key',
  COMM: 'comment',
  'TXXX:DISCOGS_ARTISTS': 'artists',
  'TXXX:DISCOGS_ARTIST_NAME': 'artists',
  'TXXX:DISCOGS_ALBUM_ARTISTS': 'albumartist',
  'TXXX:DISCOGS_LABEL': 'label',
  'TXXX:DISCOGS_RELEASED': 'date',
  'TXXX:STYLE': 'genre',
};

/** MP4 item names (upper case; freeform items as ----:mean:name) feeding the fields above. */
export const MP4_COMMON: Readonly<Record<string, CommonId>> = {
  '\u00a9NAM': 'title',
  '\u00a9ART': 'artist',
  AART: 'albumartist',
  '----:COM.APPLE.ITUNES:BAND': 'albumartist',
  '\u00a9ALB': 'album',
  '\u00a9DAY': 'date',
  '\u00a9CMT': 'comment',
  '\u00a9COM': 'comment',
  '----:COM.APPLE.ITUNES:NOTES': 'comment',
  TRKN: 'track',
  DISK: 'disk',
  '\u00a9GEN': 'genre',
  GNRE: 'genre',
  COVR: 'picture',
  '----:COM.APPLE.ITUNES:LABEL': 'label',
  TMPO: 'bpm',
  '----:COM.APPLE.ITUNES:ISRC': 'isrc',
  '----:COM.APPLE.ITUNES:ARTISTS': 'artists',
};

/** Precedence between sources of one field (lower wins), as music-metadata ranks them. */
const PRIORITY: Readonly<Record<string, number>> = {
  vorbis: 3,
  'ID3v2.4': 4,
  'ID3v2.3': 5,
  iTunes: 9,
  artificial: 500,
};

export type FastFormat = Partial<{
  -readonly [K in keyof AudioMetadata['format']]: AudioMetadata['format'][K];
}>;

export class FastCollector {
  readonly format: FastFormat & { tagTypes: string[]; trackInfo: [] } = { tagTypes: [], trackInfo: [] };
  readonly native: Record<string, { id: string; value: unknown }[]> = {};
  private readonly common: Record<string, unknown> = {
    track: { no: null, of: null },
    disk: { no: null, of: null },
  };
  private readonly origin: Record<string, number> = {};
  readonly warnings: { message: string }[] = [];

  constructor(private readonly commonIds: Readonly<Record<string, CommonId>>) {}

  addTag(tagType: string, id: string, value: unknown): void {
    let list = this.native[tagType];
    if (!list) {
      list = this.native[tagType] = [];
      if (!this.format.tagTypes.includes(tagType)) this.format.tagTypes.push(tagType);
    }
    list.push({ id, value });
    const commonId = this.commonIds[id.toUpperCase()];
    if (commonId) this.toCommon(tagType, commonId, value);
  }

  result(): AudioMetadata {
    return {
      format: this.format,
      native: this.native,
      common: this.common,
      quality: { warnings: this.warnings },
    } as unknown as AudioMetadata;
  }

  private toCommon(tagType: string, id: CommonId, value: unknown): void {
    switch (id) {
      case 'artist':
      case 'albumartist':
        return this.singularArtist(tagType, id, id === 'artist' ? 'artists' : 'albumartists', value);
      case 'artists':
      case 'albumartists':
        return this.pluralArtist(tagType, id === 'artists' ? 'artist' : 'albumartist', id, value);
      case 'picture': {
        const picture = value as { data?: Uint8Array; format?: string };
        if (!picture.data || picture.data.length === 0) {
          this.warnings.push({ message: 'Empty picture tag found' });
          return;
        }
        // The readers only hand over pictures that carry a MIME type, so no content sniffing is needed.
        picture.format = picture.format!.toLocaleLowerCase();
        if (picture.format === 'image/jpg') picture.format = 'image/jpeg';
        return this.set(tagType, id, picture);
      }
      case 'totaltracks':
        (this.common.track as { of: number | null }).of = toIntOrNull(value);
        return;
      case 'totaldiscs':
        (this.common.disk as { of: number | null }).of = toIntOrNull(value);
        return;
      case 'track':
      case 'disk': {
        const before = (this.common[id] as { of: number | null }).of;
        const parts = String(value).split('/');
        const of = Number.parseInt(parts[1], 10) || null;
        this.common[id] = { no: Number.parseInt(parts[0], 10) || null, of: before ?? of };
        return;
      }
      case 'bpm':
      case 'year':
        return this.set(tagType, id, Number.parseInt(value as string, 10));
      case 'date': {
        const year = Number.parseInt((value as string).substring(0, 4), 10);
        if (!Number.isNaN(year)) this.common.year = year;
        break;
      }
      case 'isrc': {
        const held = this.common.isrc as unknown[] | undefined;
        if (held && held.includes(value)) return;
        break;
      }
      case 'comment':
        if (typeof value === 'string') value = { text: value };
        break;
    }
    if (value !== null) this.set(tagType, id, value);
  }

  private singularArtist(tagType: string, singular: CommonId, plural: CommonId, value: unknown): void {
    // The same source naming the singular field twice means it is used as a list.
    if (this.origin[singular] === PRIORITY[tagType]) return this.pluralArtist('artificial', singular, plural, value);
    if (!this.common[plural]) this.set('artificial', plural, value);
    this.set(tagType, singular, value);
  }

  private pluralArtist(tagType: string, singular: CommonId, plural: CommonId, value: unknown): void {
    if (!this.common[singular] || this.origin[singular] === PRIORITY.artificial) {
      const held = (this.common[plural] as unknown[] | undefined) ?? [];
      if (!held.includes(value)) this.set('artificial', singular, joinArtists([...held, value] as string[]));
    }
    this.set(tagType, plural, value);
  }

  private set(tagType: string, id: CommonId, value: unknown): void {
    const before = this.origin[id] ?? 1000;
    const priority = PRIORITY[tagType];
    if (SINGLE.has(id)) {
      if (priority > before) return;
      this.common[id] = value;
      this.origin[id] = priority;
      return;
    }
    if (priority === before) {
      const list = this.common[id] as unknown[];
      if (!UNIQUE_LISTS.has(id) || !list.includes(value)) list.push(value);
    } else if (priority < before) {
      this.common[id] = [value];
      this.origin[id] = priority;
    }
  }
}

function toIntOrNull(value: unknown): number | null {
  const n = Number.parseInt(value as string, 10);
  return Number.isNaN(n) ? null : n;
}

/** "A", "A & B", "A, B & C": music-metadata's display form of several artists. */
function joinArtists(artists: string[]): string {
  if (artists.length > 2) return `${artists.slice(0, -1).join(', ')} & ${artists[artists.length - 1]}`;
  return artists.join(' & ');
}
