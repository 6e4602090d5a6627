import { parseYear } from '../tags/fields';
import { normaliseOrNull, normaliseText } from '../tags/text';
import { decodeText, type TextEncoding } from './decode-text';

/**
 * A cue sheet as written by CD rippers and DJ software: disc-level PERFORMER/TITLE/REM lines, FILE
 * entries and their TRACKs with INDEX times (mm:ss:ff, 75 frames per second). Parsing is tolerant:
 * unknown or broken lines are skipped and noted, never fatal, because cue sheets in the wild are
 * hand-edited. Minutes may exceed 99 (long mixes).
 */
export interface CueTrack {
  number: number;
  /** AUDIO for audio tracks; other types are kept as written. */
  type: string;
  performer: string | null;
  title: string | null;
  isrc: string | null;
  /** INDEX 01 in seconds from the start of its file; null when the track has none. */
  startSec: number | null;
  /** INDEX 00 (the pregap start) in seconds, when given. */
  pregapSec: number | null;
  /** The FILE this track belongs to (as written in the sheet). */
  file: string | null;
}

export interface CueFile {
  name: string;
  /** WAVE, MP3, AIFF, BINARY, ...; null when missing. */
  type: string | null;
}

export interface CueSheet {
  performer: string | null;
  title: string | null;
  songwriter: string | null;
  catalog: string | null;
  /** REM DATE as written, and the year in it (1000–9999 only). */
  date: string | null;
  year: number | null;
  genre: string | null;
  comment: string | null;
  /** Every REM key (upper case) with its value, DATE and GENRE included. */
  rem: Record<string, string>;
  files: CueFile[];
  tracks: CueTrack[];
  /** Lines that could not be understood, with their line numbers (at most 20). */
  warnings: string[];
  encoding: TextEncoding;
}

const MAX_TRACKS = 999;
const MAX_LINES = 20_000;
const MAX_WARNINGS = 20;

/** Splits a cue line into its command and arguments; quoted arguments keep their spaces. */
export function tokenizeCueLine(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      // An unterminated quote runs to the end of the line.
      tokens.push(line.slice(i + 1, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end + 1;
    } else {
      let j = i;
      while (j < line.length && !/\s/.test(line[j])) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** "mm:ss:ff" (75 frames per second) or "mm:ss" → seconds; null when malformed. */
export function parseCueTime(text: string): number | null {
  const m = /^(\d{1,4}):(\d{1,2})(?::(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const [min, sec, frames] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
  if (sec > 59 || frames > 74) return null;
  return Math.round((min * 60 + sec + frames / 75) * 1000) / 1000;
}

/** A text argument: everything after the command, quoted or not ("TITLE My Song" is common). */
function restOf(line: string, tokens: string[]): string {
  if (tokens.length === 2) return tokens[1];
  const body = line.trim().slice(tokens[0].length).trim();
  return body.startsWith('"') && body.endsWith('"') && body.length >= 2 ? body.slice(1, -1) : body;
}

const field = (value: string) => normaliseOrNull(value, { maxLength: 512 });

export function parseCueSheet(input: Uint8Array | string): CueSheet {
  const decoded = typeof input === 'string' ? { text: input, encoding: 'utf-8' as const } : decodeText(input);
  const sheet: CueSheet = {
    performer: null,
    title: null,
    songwriter: null,
    catalog: null,
    date: null,
    year: null,
    genre: null,
    comment: null,
    rem: {},
    files: [],
    tracks: [],
    warnings: [],
    encoding: decoded.encoding,
  };
  const warn = (lineNo: number, why: string) => {
    if (sheet.warnings.length < MAX_WARNINGS) sheet.warnings.push(`line ${lineNo}: ${why}`);
  };
  const lines = decoded.text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > MAX_LINES) warn(MAX_LINES, `only the first ${MAX_LINES} lines were read`);
  let currentFile: string | null = null;
  let track: CueTrack | null = null;

  lines.slice(0, MAX_LINES).forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replaceAll('\u0000', '');
    const tokens = tokenizeCueLine(line);
    if (tokens.length === 0) return;
    const command = tokens[0].toUpperCase();
    switch (command) {
      case 'REM': {
        const body = line.trim().slice(3).trim();
        const bodyTokens = tokenizeCueLine(body);
        if (bodyTokens.length < 2) return;
        const key = normaliseText(bodyTokens[0], { maxLength: 64 }).toUpperCase();
        const value = field(restOf(body, bodyTokens));
        if (!key || value === null) return;
        if (Object.keys(sheet.rem).length < 64) sheet.rem[key] = value;
        if (key === 'DATE' && !track) [sheet.date, sheet.year] = [value, parseYear(value)];
        if (key === 'GENRE' && !track) sheet.genre = value;
        if (key === 'COMMENT' && !track) sheet.comment = value;
        return;
      }
      case 'PERFORMER':
      case 'TITLE':
      case 'SONGWRITER': {
        if (tokens.length < 2) return warn(lineNo, `${command} without a value`);
        const value = field(restOf(line, tokens));
        const key = command.toLowerCase() as 'performer' | 'title' | 'songwriter';
        if (track && key !== 'songwriter') track[key] = value;
        else if (!track) sheet[key] = value;
        return;
      }
      case 'CATALOG':
        if (!track) sheet.catalog = field(restOf(line, tokens));
        return;
      case 'FILE': {
        if (tokens.length < 2) return warn(lineNo, 'FILE without a name');
        // The last token is the type when there are three or more and the name was quoted or single.
        const hasType = tokens.length >= 3;
        const name = normaliseText(hasType ? tokens.slice(1, -1).join(' ') : tokens[1], { maxLength: 1024 });
        const type = hasType ? tokens[tokens.length - 1].toUpperCase() : null;
        if (!name) return warn(lineNo, 'FILE with an empty name');
        sheet.files.push({ name, type });
        currentFile = name;
        track = null;
        return;
      }
      case 'TRACK': {
        const number = Number(tokens[1]);
        if (!Number.isInteger(number) || number < 0 || number > 999)
          return warn(lineNo, `TRACK with a bad number "${normaliseText(tokens[1] ?? '', { maxLength: 16 })}"`);
        if (sheet.tracks.length >= MAX_TRACKS) return warn(lineNo, `more than ${MAX_TRACKS} tracks`);
        track = {
          number,
          type: normaliseText(tokens[2] ?? 'AUDIO', { maxLength: 16 }).toUpperCase(),
          performer: null,
          title: null,
          isrc: null,
          startSec: null,
          pregapSec: null,
          file: currentFile,
        };
        sheet.tracks.push(track);
        return;
      }
      case 'INDEX': {
        if (!track) return warn(lineNo, 'INDEX before any TRACK');
        const indexNo = Number(tokens[1]);
        const sec = tokens[2] === undefined ? null : parseCueTime(tokens[2]);
        if (!Number.isInteger(indexNo) || sec === null)
          return warn(lineNo, `INDEX with a bad time "${normaliseText(tokens.slice(1).join(' '), { maxLength: 32 })}"`);
        if (indexNo === 1) track.startSec = sec;
        else if (indexNo === 0) track.pregapSec = sec;
        return;
      }
      case 'ISRC':
        if (track) track.isrc = field(tokens[1] ?? '');
        return;
      case 'FLAGS':
      case 'PREGAP':
      case 'POSTGAP':
      case 'CDTEXTFILE':
        return;
      default:
        warn(lineNo, `unknown command "${normaliseText(tokens[0], { maxLength: 32 })}"`);
    }
  });
  return sheet;
}
