export { readCompanion, type CompanionContent, type ReadCompanionOptions } from './read-companion';
export { linkCompanions, type CompanionLink, type LinkOptions, type LinkRule } from './linking';
export { parseCueSheet, parseCueTime, type CueSheet, type CueTrack, type CueFile } from './cue';
export {
  readTextCompanion,
  stripArt,
  TEXT_READ_BYTES,
  TEXT_KEEP_CHARS,
  type TextCompanion,
  type TextFields,
  type TracklistLine,
} from './text-file';
export { parseM3u, parsePls, type Playlist, type PlaylistEntry } from './playlist';
export { parseSfv, parseMd5, type ChecksumList, type ChecksumEntry } from './checksums';
export { decodeText, type DecodedText, type TextEncoding } from './decode-text';
export { readImageFacts, type ImageFacts } from './image';
