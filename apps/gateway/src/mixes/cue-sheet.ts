/** One track of a CUE sheet. */
export interface CueTrack {
  startSec: number;
  performer: string | null;
  title: string | null;
}

export interface CueSheet {
  /** The mix file's name (no folders: the sheet sits beside it). */
  fileName: string;
  performer: string | null;
  title: string | null;
  tracks: CueTrack[];
  comment?: string;
}

/**
 * CUE strings are double-quoted with no escape mechanism, and each command is one line: quotes become
 * apostrophes, line breaks and other control characters become spaces, and overlong text is cut, so tag text
 * can never end a string early or start a command of its own.
 */
export function cueString(text: string | null | undefined, fallback: string): string {
  return `"${cueText(text) || cueText(fallback)}"`;
}

function cueText(text: string | null | undefined): string {
  return (
    (text ?? '')
      .normalize('NFC')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/"/g, "'")
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 250)
  );
}

/** mm:ss:ff with 75 frames per second; minutes go past 99 for long mixes, as CUE readers accept. */
export function cueTime(sec: number): string {
  const frames = Math.max(0, Math.round(sec * 75));
  const mm = Math.floor(frames / (75 * 60));
  const ss = Math.floor(frames / 75) % 60;
  const ff = frames % 75;
  return `${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}:${String(ff).padStart(2, '0')}`;
}

/** The FILE type CUE readers expect for a file name. */
export function cueFileType(fileName: string): string {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'mp3') return 'MP3';
  if (ext === 'aif' || ext === 'aiff') return 'AIFF';
  return 'WAVE';
}

/** A CUE sheet for a mix (CRLF line ends, as most players and DJ tools expect). */
export function renderCueSheet(sheet: CueSheet): string {
  const lines: string[] = [];
  lines.push(`REM GENERATOR "Crateflow"`);
  if (sheet.comment) lines.push(`REM COMMENT ${cueString(sheet.comment, '')}`);
  lines.push(`PERFORMER ${cueString(sheet.performer, 'Unknown Artist')}`);
  lines.push(`TITLE ${cueString(sheet.title, sheet.fileName)}`);
  lines.push(`FILE ${cueString(sheet.fileName, 'mix')} ${cueFileType(sheet.fileName)}`);
  const tracks = [...sheet.tracks].sort((a, b) => a.startSec - b.startSec);
  tracks.forEach((t, i) => {
    lines.push(`  TRACK ${String(i + 1).padStart(2, '0')} AUDIO`);
    lines.push(`    TITLE ${cueString(t.title, 'ID')}`);
    lines.push(`    PERFORMER ${cueString(t.performer, 'ID')}`);
    // The first track starts at the very beginning: CUE readers treat audio before it as a pregap.
    lines.push(`    INDEX 01 ${cueTime(i === 0 ? 0 : t.startSec)}`);
  });
  return lines.join('\r\n') + '\r\n';
}
