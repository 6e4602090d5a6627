/** One track of a plain-text tracklist. */
export interface TextTrack {
  position: number;
  cueSec: number | null;
  artist: string | null;
  title: string | null;
  remix: string | null;
  label: string | null;
}

/** h:mm:ss (or m:ss under an hour). */
export function clockTime(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const line = (s: string | null) =>
  (s ?? '')
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .trim();

/** The tracklist as people post it: a heading, then `NN. [h:mm:ss] Artist - Title (Remix) [Label]` per line. */
export function renderPlainText(heading: string, tracks: readonly TextTrack[]): string {
  const out = [line(heading), ''];
  for (const t of tracks) {
    const time = t.cueSec == null ? '' : `[${clockTime(t.cueSec)}] `;
    const who = line(t.artist) || 'ID';
    const what = line(t.title) || 'ID';
    const remix = t.remix ? ` (${line(t.remix)})` : '';
    const label = t.label ? ` [${line(t.label)}]` : '';
    out.push(`${String(t.position).padStart(2, '0')}. ${time}${who} - ${what}${remix}${label}`);
  }
  return out.join('\n') + '\n';
}
