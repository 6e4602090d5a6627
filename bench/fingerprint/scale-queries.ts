/**
 * The queries the scale benches share: a DJ mix of the library tracks in every variant, and a long archive
 * recording with two library songs far apart. index-scale.ts and lookup-speed.ts measure the same queries.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { mulberry32, type SegmentSpec, type Variant } from '../../libs/fingerprint/test/support/mixes';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';
import type { Olaf } from './olaf';

export interface RecordingTruth {
  trackId: number;
  startSec: number;
}

export const VARIANTS: Variant[] = [
  { kind: 'clean' },
  { kind: 'vinyl', speed: 1.06 },
  { kind: 'tempo', speed: 0.95 },
  { kind: 'vinyl', speed: 0.97 },
  { kind: 'noise', snrDb: 10 },
  { kind: 'tempo', speed: 1.04 },
  { kind: 'mp3' },
];

/** ~`minutes` minutes of 30–60 s segments of the library tracks in every variant, a fifth of them outside music. */
export function djMix(minutes: number): { specs: SegmentSpec[]; crossfades: number[] } {
  const rnd = mulberry32(60);
  const specs: SegmentSpec[] = [];
  const crossfades: number[] = [];
  let total = 0;
  for (let s = 0; total < minutes * 60; s++) {
    const len = 30 + Math.floor(rnd() * 31);
    if (rnd() < 0.2) {
      specs.push({
        trackId: null,
        source: { synthSeed: 900_000 + s },
        refStartSec: 0,
        lengthSec: len,
        variant: { kind: 'clean' },
      });
    } else {
      const track = LIBRARY[s % LIBRARY.length];
      const lengthSec = Math.min(len, Math.floor((track.durationSec - 3) / 1.1));
      const refStartSec = Math.floor(rnd() * Math.max(1, track.durationSec - lengthSec * 1.1 - 2));
      specs.push({
        trackId: track.id,
        source: { file: track.file },
        refStartSec,
        lengthSec,
        variant: VARIANTS[s % VARIANTS.length],
      });
    }
    const fade = 6 + Math.floor(rnd() * 5);
    crossfades.push(fade);
    total += specs[specs.length - 1].lengthSec - fade;
  }
  return { specs, crossfades: crossfades.slice(0, specs.length - 1) };
}

/**
 * An archive recording of `hours` hours: quiet pink noise, two library songs at 1/8 and 7/8 of it (3 hours
 * apart in 4 hours), 64 kbps mono MP3.
 */
export function archiveRecording(dir: string, hours: number): { file: string; truth: RecordingTruth[] } {
  const file = path.join(dir, 'archive.mp3');
  const total = hours * 3600;
  const truth = archiveTruth(hours);
  const starts = truth.map((t) => t.startSec);
  execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `anoisesrc=colour=pink:amplitude=0.02:sample_rate=44100:duration=${total}`],
      ...['-i', LIBRARY[0].file, '-i', LIBRARY[1].file],
      '-filter_complex',
      `[1:a]aformat=channel_layouts=mono,adelay=${starts[0] * 1000}:all=1[a];` +
        `[2:a]aformat=channel_layouts=mono,adelay=${starts[1] * 1000}:all=1[b];` +
        `[0:a][a][b]amix=inputs=3:duration=first:normalize=0[out]`,
      ...['-map', '[out]', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', file],
    ],
    { stdio: 'inherit' },
  );
  return { file, truth };
}

/** Where the two library songs start in an archive recording of `hours` hours (also one made earlier). */
export function archiveTruth(hours: number): RecordingTruth[] {
  const total = hours * 3600;
  return [LIBRARY[0].id, LIBRARY[1].id].map((trackId, i) => ({
    trackId,
    startSec: Math.round(i === 0 ? total / 8 : (total * 7) / 8),
  }));
}

/**
 * Olaf stores the library the benches index: the real files (decoded by Olaf's own ffmpeg call) and the
 * 10-minute synthetic tracks 1000… (written as 8 kHz WAV). Returns Olaf's id of each of `trackIds`, and the
 * seconds the real files took (decode + store) and the whole library took.
 */
export function storeLibraryInOlaf(
  olaf: Olaf,
  synthTracks: number,
  trackIds: Iterable<number>,
): { ids: Map<number, number>; realSec: number; totalSec: number } {
  const t0 = performance.now();
  olaf.store(LIBRARY.map((t) => ({ raw: olaf.decode(t.file), name: `track-${t.id}` })));
  const realSec = (performance.now() - t0) / 1000;
  const synthRaws: { raw: string; name: string }[] = [];
  for (let i = 0; i < synthTracks; i++) {
    const chunks = [...synthChunks(1000 + i, 600, 20)];
    const pcm = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      pcm.set(c, at);
      at += c.length;
    }
    synthRaws.push({ raw: olaf.decode(olaf.writeWav(pcm, 8000)), name: `track-${1000 + i}` });
  }
  // Writing the WAVs is generation, not indexing: only Olaf's store of them is counted.
  const t1 = performance.now();
  olaf.store(synthRaws);
  const totalSec = realSec + (performance.now() - t1) / 1000;
  const ids = new Map<number, number>();
  for (const id of trackIds) ids.set(id, olaf.idOf(`track-${id}`));
  return { ids, realSec, totalSec };
}
