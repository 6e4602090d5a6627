/* Formatting shared by every view: numbers, sizes, times, states, durations, musical keys. */

const numberFormat = new Intl.NumberFormat();
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const fmtNumber = (n) => (Number.isFinite(Number(n)) ? numberFormat.format(Number(n)) : '—');

export function fmtBytes(bytes) {
  bytes = Number(bytes);
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export const fmtDate = (iso) => (iso ? dateFormat.format(new Date(iso)) : '—');

export function fmtRelative(iso) {
  if (!iso) return '—';
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return relativeFormat.format(Math.round(seconds), 'second');
  if (abs < 2700) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 64800) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (abs < 30 * 86400) return relativeFormat.format(Math.round(seconds / 86400), 'day');
  return shortDateFormat.format(new Date(iso));
}

/** `PROPOSAL_GENERATED` → `Proposal generated`. */
export const fmtState = (state) => (state ? state.charAt(0) + state.slice(1).toLowerCase().replace(/_/g, ' ') : '—');

/** Seconds → `3:07` or `1:02:03`. */
export function fmtDuration(seconds) {
  seconds = Number(seconds);
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export const fmtBpm = (bpm) => (Number.isFinite(Number(bpm)) && bpm !== null ? Number(bpm).toFixed(1) : '—');

/** Playback speed → the pitch-fader reading a DJ knows: `+4.0 %`, `-2.5 %`, `0.0 %` (never `-0.0 %`). */
export function fmtSpeedChange(speed) {
  const pct = (Number(speed) - 1) * 100;
  if (!Number.isFinite(pct)) return '—';
  if (Math.abs(pct) < 0.05) return '0.0 %';
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

export const fmtPercent = (x) => (Number.isFinite(Number(x)) ? `${Math.round(Number(x) * 100)} %` : '—');

export function dirname(path) {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '/';
}

/** Parses a Camelot code (`8A`, `12b`) into number and letter, or null. */
export function parseCamelot(code) {
  const m = /^(1[0-2]|[1-9])([ABab])$/.exec(String(code || '').trim());
  return m ? { number: Number(m[1]), letter: m[2].toUpperCase() } : null;
}

/** Keys a DJ mixes into from `code`: same key, ±1 on the wheel, and the relative major/minor. */
export function compatibleCamelot(code) {
  const k = parseCamelot(code);
  if (!k) return [];
  const wrap = (n) => ((n + 11) % 12) + 1;
  const other = k.letter === 'A' ? 'B' : 'A';
  return [
    `${k.number}${k.letter}`,
    `${wrap(k.number - 1)}${k.letter}`,
    `${wrap(k.number + 1)}${k.letter}`,
    `${k.number}${other}`,
  ];
}

/** All 24 Camelot codes in wheel order (1A..12A, 1B..12B). */
export const CAMELOT_CODES = [
  ...Array.from({ length: 12 }, (_, i) => `${i + 1}A`),
  ...Array.from({ length: 12 }, (_, i) => `${i + 1}B`),
];

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) qs.set(key, value.join(','));
    } else qs.set(key, String(value));
  }
  const text = qs.toString();
  return text ? `?${text}` : '';
}
