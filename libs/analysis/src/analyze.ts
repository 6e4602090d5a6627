import { stat } from 'node:fs/promises';
import {
  type AudioProbe,
  ToolTimeoutError,
  UndecodableAudioError,
  decodeMono,
  isInterruption,
  probeAudio,
} from '@crateflow/audio';
import { energyCurves, energyRating, outlineFromCurve } from './energy';
import { AnalysisError } from './errors';
import { type EbuR128, LoudnessError, measureLoudness, parseEbur128Summary } from './loudness';
import { EssentiaPool, sharedPool } from './pool';
import {
  type BeatWindowInput,
  alignOctave,
  chooseOctave,
  median,
  octaveEvidence,
  round2,
  summariseRhythm,
  windowTempo,
} from './rhythm';
import { compareTags, type FileTags } from './tags';
import { DEFAULT_KEY_PROFILE, type KeyVote, aggregateKey, keyCoverage } from './tonality';
import { keyNames, pitchClassOf } from './notation';
import type { AnalysisProgress, AnalysisResult, TimelineWindow } from './types';
import { type WindowResult, dbfs } from './window';

export const ANALYSIS_VERSION = 1;
export const ANALYSIS_SAMPLE_RATE = 44100;

export interface AnalyzeOptions {
  signal?: AbortSignal;
  /** Called after every window (about every 30 s of audio); a message handler can call `working()` here. */
  onProgress?: (p: AnalysisProgress) => void;
  /** Whole-file limit. Default: 60 s + 0.25 s per second of audio (4× realtime at worst). */
  timeoutMs?: number;
  /** The file's own BPM/key tags: kept beside the measurement, with a verdict. */
  tags?: FileTags;
  /** Treat as a DJ mix (BPM/key timeline + summary). Default 'auto': longer than `mixMinSec`. */
  mix?: boolean | 'auto';
  mixMinSec?: number;
  /** Pool of Essentia threads (default: the shared one). */
  pool?: EssentiaPool;
  windowSec?: number;
  keyProfile?: string;
  /** RMS below this (dBFS) is silence. Default −60. */
  silenceDbfs?: number;
  /**
   * EBU R128 loudness: measured in the same ffmpeg run that feeds the analysers (default: the file is read
   * and decoded once); `'separate-pass'` runs a second ffmpeg over the file as before (kept for the
   * benchmark's before/after); false skips it (loudness then comes out not measurable).
   */
  loudness?: boolean | 'separate-pass';
}

const MIN_RHYTHM_SEC = 6;
const MIN_OUTLINE_SEC = 30;

/**
 * Analyses one audio file: tempo, beats, key, loudness, danceability, energy, outline, and a per-window
 * timeline. Decoding streams through ffmpeg in ~30 s windows, each analysed in an Essentia worker thread,
 * so memory stays flat whatever the length. Rejects with AnalysisError (code undecodable / not-found /
 * timeout / aborted / worker-failed); silence and very short files resolve with "not measurable" fields.
 */
export async function analyzeFile(filePath: string | Buffer, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const started = performance.now();
  const pool = options.pool ?? sharedPool();
  const windowSec = options.windowSec ?? 30;
  const silenceDbfs = options.silenceDbfs ?? -60;
  const keyProfile = options.keyProfile ?? DEFAULT_KEY_PROFILE;
  const sr = ANALYSIS_SAMPLE_RATE;
  if (options.signal?.aborted) throw new AnalysisError('aborted', 'analysis aborted');

  try {
    await stat(filePath);
  } catch (e) {
    throw new AnalysisError(
      'not-found',
      `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let probe: AudioProbe;
  try {
    probe = await probeAudio(filePath, undefined, options.signal);
  } catch (e) {
    // Only ffprobe's verdict on the input is one; an interrupted or slow ffprobe says nothing about the file.
    if (e instanceof ToolTimeoutError) throw new AnalysisError('timeout', e.message, { cause: e });
    if (isInterruption(e)) throw new AnalysisError('aborted', (e as Error).message, { cause: e });
    if (!(e instanceof UndecodableAudioError)) throw e;
    throw new AnalysisError('undecodable', `not decodable audio: ${e.message}`, { cause: e });
  }

  // One controller for everything this call starts (ffmpeg decode, ffmpeg loudness, worker calls).
  const control = new AbortController();
  const timeoutMs = options.timeoutMs ?? 60_000 + 250 * (probe.durationSec ?? 3600);
  let stopReason: AnalysisError | undefined;
  const stop = (reason: AnalysisError) => {
    stopReason ??= reason;
    control.abort(reason);
  };
  const timer = setTimeout(
    () => stop(new AnalysisError('timeout', `analysis took longer than ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  const onCallerAbort = () => stop(new AnalysisError('aborted', 'analysis aborted'));
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort(); // aborted while the file was being probed

  const warnings: string[] = [];
  // Loudness in the decoding run itself unless asked otherwise; the summary arrives after the last chunk.
  let sameRunLoudness: EbuR128 | Error = new LoudnessError('ffmpeg printed no ebur128 summary');
  const inDecode = options.loudness === undefined || options.loudness === true;
  const loudnessPromise: Promise<EbuR128 | Error> =
    options.loudness === false
      ? Promise.resolve(new Error('loudness measurement was switched off'))
      : options.loudness === 'separate-pass'
        ? measureLoudness(filePath, { streamIndex: probe.streamIndex, signal: control.signal }).catch((e: Error) => e)
        : Promise.resolve(sameRunLoudness);

  const windows: WindowResult[] = [];
  const failedWindows: { startSec: number; durationSec: number; reason: string }[] = [];
  let loud: EbuR128 | Error;
  try {
    await decodeInWindows(filePath, probe, {
      sr,
      windowSec,
      signal: control.signal,
      onLoudnessLog: inDecode
        ? (log) => {
            try {
              sameRunLoudness = parseEbur128Summary(log);
            } catch (e) {
              sameRunLoudness = e as Error;
            }
          }
        : undefined,
      inFlight: 2,
      submit: (samples, startSec) =>
        pool.run(
          { samples, sampleRate: sr, startSec, keyProfile, minRhythmSec: MIN_RHYTHM_SEC, silenceDbfs },
          { signal: control.signal },
        ),
      onWindow: (r) => {
        windows.push(r);
        for (const e of r.errors) warnings.push(`window at ${Math.round(r.startSec)} s: ${e}`);
        const analysedSec = windows.reduce((a, w) => a + w.durationSec, 0);
        options.onProgress?.({
          analysedSec,
          durationSec: probe.durationSec,
          fraction: probe.durationSec ? Math.min(1, analysedSec / probe.durationSec) : null,
        });
      },
      onWindowFailed: (startSec, durationSec, e) => {
        failedWindows.push({ startSec, durationSec, reason: e.message });
        warnings.push(`window at ${Math.round(startSec)} s was not analysed: ${e.message}`);
        const recent = failedWindows.slice(-3);
        if (recent.length === 3 && windows.every((w) => w.startSec < recent[0].startSec)) {
          throw new AnalysisError('worker-failed', `three windows in a row failed; last: ${e.message}`);
        }
      },
    });
    // Still under the time limit: a separate loudness pass runs in its own ffmpeg and could be the slower one.
    loud = inDecode ? sameRunLoudness : await loudnessPromise;
    // A loudness pass cut short is not "not measurable": the whole analysis is tried again.
    if (isInterruption(loud) && !stopReason) throw new AnalysisError('aborted', (loud as Error).message);
  } catch (e) {
    control.abort();
    await loudnessPromise;
    if (stopReason) throw stopReason;
    if (e instanceof AnalysisError) throw e;
    if (e instanceof UndecodableAudioError)
      throw new AnalysisError('undecodable', `not decodable audio: ${e.message}`, { cause: e });
    if (isInterruption(e)) throw new AnalysisError('aborted', (e as Error).message, { cause: e });
    throw new AnalysisError('worker-failed', (e as Error).message, { cause: e });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
  if (stopReason) throw stopReason;

  windows.sort((a, b) => a.startSec - b.startSec);
  const result = buildResult({ probe, windows, failedWindows, loud, warnings, keyProfile, silenceDbfs, options });
  const wallMs = performance.now() - started;
  result.timing = {
    wallMs: Math.round(wallMs),
    windows: windows.length,
    realtimeFactor: round2(result.analysedSec / (wallMs / 1000)),
  };
  return result;
}

interface DecodePlan {
  sr: number;
  windowSec: number;
  signal: AbortSignal;
  /** Windows analysed at once (bounds memory: each is ~5 MB at 44.1 kHz). */
  inFlight: number;
  submit: (samples: Float32Array, startSec: number) => Promise<WindowResult>;
  onWindow: (r: WindowResult) => void;
  onWindowFailed: (startSec: number, durationSec: number, e: Error) => void;
  /** Measure loudness in the decoding run; gets ffmpeg's log tail with the ebur128 summary. */
  onLoudnessLog?: (log: string) => void;
}

/**
 * Streams the decoder into fixed windows. The last window absorbs a remainder shorter than half a window
 * (so a 40 s track is one 40 s window, not 30 + 10), and files up to 1.5 windows are one window.
 */
async function decodeInWindows(filePath: string | Buffer, probe: AudioProbe, plan: DecodePlan): Promise<void> {
  const { sr } = plan;
  const windowSamples = plan.windowSec * sr;
  const capacity = Math.round(windowSamples * 1.5);
  let buf = new Float32Array(capacity);
  let filled = 0;
  let startSample = 0;
  const pending: Promise<void>[] = [];
  const totalSamples = probe.durationSec ? Math.round(probe.durationSec * sr) : undefined;

  const flush = async (length: number) => {
    const samples = buf.slice(0, length); // own buffer: it is transferred to the worker
    const carry = buf.subarray(length, filled);
    const next = new Float32Array(capacity);
    next.set(carry);
    buf = next;
    filled = carry.length;
    const startSec = startSample / sr;
    startSample += length;
    const job = plan.submit(samples, startSec).then(plan.onWindow, (e: Error) => {
      if (e instanceof AnalysisError && e.code === 'aborted') throw e;
      if (plan.signal.aborted) throw e;
      plan.onWindowFailed(startSec, length / sr, e);
    });
    // Marked handled now: on an abort it rejects while the loop may be waiting for the decoder, not for it, and
    // an unhandled rejection would end the process. It is still awaited below, where its error counts.
    job.catch(() => undefined);
    pending.push(job);
    if (pending.length >= plan.inFlight) await pending.shift();
  };

  try {
    const ebur128 = plan.onLoudnessLog ? { onSummary: plan.onLoudnessLog } : undefined;
    for await (const chunk of decodeMono(filePath, {
      sampleRate: sr,
      chunkSamples: sr,
      signal: plan.signal,
      ebur128,
    })) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, capacity - filled);
        buf.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled >= windowSamples) {
          const remaining = totalSamples !== undefined ? totalSamples - (startSample + filled) : Infinity;
          // Keep filling when what is left fits into this window (absorbing a short tail).
          const absorbTail = remaining > 0 && filled + remaining <= capacity;
          if (!absorbTail || filled >= capacity) await flush(Math.min(filled, absorbTail ? capacity : windowSamples));
        }
      }
    }
    if (filled > 0) await flush(filled);
    await Promise.all(pending);
  } finally {
    // On any failure the other windows still in flight settle here, so none rejects unobserved.
    await Promise.allSettled(pending);
  }
}

function buildResult(ctx: {
  probe: AudioProbe;
  windows: WindowResult[];
  failedWindows: { startSec: number; durationSec: number; reason: string }[];
  loud: EbuR128 | Error;
  warnings: string[];
  keyProfile: string;
  silenceDbfs: number;
  options: AnalyzeOptions;
}): AnalysisResult {
  const { probe, windows, failedWindows, loud, warnings, keyProfile, silenceDbfs, options } = ctx;
  const failedEntries: TimelineWindow[] = failedWindows.map((f) => ({
    startSec: round2(f.startSec),
    endSec: round2(f.startSec + f.durationSec),
    silent: false,
    bpm: null,
    key: null,
    energy: 0,
    loudnessDbfs: null,
    error: f.reason,
  }));
  const withFailed = (entries: TimelineWindow[]) =>
    failedEntries.length ? [...entries, ...failedEntries].sort((a, b) => a.startSec - b.startSec) : entries;
  const analysedSec = windows.reduce((a, w) => a + w.durationSec, 0);
  const durationSec = probe.durationSec ?? analysedSec;
  const decodedSec = analysedSec + failedWindows.reduce((a, f) => a + f.durationSec, 0);
  const kind: 'track' | 'mix' =
    options.mix === true || (options.mix !== false && decodedSec > (options.mixMinSec ?? 15 * 60)) ? 'mix' : 'track';

  // Whole-file per-second features, placed by time (a window that failed leaves zeros, read as silence).
  // Windows start on whole seconds: every window but the last is a whole number of seconds long.
  const totalSec = windows.reduce((a, w) => Math.max(a, Math.round(w.startSec) + w.secMeanSquare.length), 0);
  const secMeanSquare = new Float32Array(totalSec);
  const secFlux = new Float32Array(totalSec);
  let centroidSum = 0,
    centroidWeight = 0,
    onsets = 0,
    audibleSec = 0,
    energySum = 0;
  for (const w of windows) {
    for (let s = 0; s < w.secMeanSquare.length; s++) {
      const ms = w.secMeanSquare[s];
      secMeanSquare[Math.round(w.startSec) + s] = ms;
      secFlux[Math.round(w.startSec) + s] = w.secFlux[s];
      if (dbfs(ms) >= silenceDbfs) {
        audibleSec++;
        energySum += ms;
        centroidSum += w.secCentroid[s] * ms;
        centroidWeight += ms;
        onsets += w.secOnsets[s];
      }
    }
  }
  const nonSilent = windows.filter((w) => !w.silent);
  const nonSilentSec = nonSilent.reduce((a, w) => a + w.durationSec, 0);
  const silent = nonSilentSec < 1 || audibleSec < 1;
  const meanFlux = (() => {
    let s = 0,
      n = 0;
    for (const w of nonSilent) {
      for (const f of w.secFlux) s += f;
      n += w.secFlux.length;
    }
    return n ? s / n : 0;
  })();

  const nm = (reason: string) => ({ measurable: false as const, reason });
  const silentReason = `silent: the RMS level is below ${silenceDbfs} dBFS`;

  // Loudness (ffmpeg EBU R128).
  let loudness: AnalysisResult['loudness'];
  if (loud instanceof Error) {
    loudness = nm(`loudness not measured: ${loud.message}`);
    if (options.loudness !== false) warnings.push(loud.message);
  } else if (loud.integratedLufs === null) {
    loudness = nm(silent ? silentReason : 'below the EBU R128 absolute gate (−70 LUFS)');
  } else {
    loudness = {
      measurable: true,
      integratedLufs: loud.integratedLufs,
      rangeLu: analysedSec >= 3 ? loud.rangeLu : null,
      samplePeakDbfs: loud.samplePeakDbfs,
    };
  }

  const base = {
    analysisVersion: ANALYSIS_VERSION,
    file: {
      durationSec: round2(durationSec),
      codec: probe.codec,
      sampleRate: probe.sampleRate,
      channels: probe.channels,
    },
    analysedSec: round2(analysedSec),
    kind,
    warnings,
    timing: { wallMs: 0, windows: windows.length, realtimeFactor: 0 },
  };

  if (silent) {
    return {
      ...base,
      silent: true,
      bpm: nm(silentReason),
      beats: nm(silentReason),
      key: nm(silentReason),
      loudness,
      danceability: nm(silentReason),
      energy: nm(silentReason),
      outline: nm(silentReason),
      timeline: withFailed(windows.map((w) => timelineEntry(w, null, null, 0, silenceDbfs))),
      ...(kind === 'mix' ? { mix: { medianBpm: null, bpmRange: null, dominantKey: null, keyCoverage: [] } } : {}),
      ...(options.tags ? { tags: compareTags(nm(silentReason), nm(silentReason), options.tags) } : {}),
    };
  }

  // Rhythm.
  const rhythmWindows: BeatWindowInput[] = nonSilent
    .filter((w) => w.rhythm)
    .map((w) => ({
      startSec: w.startSec,
      endSec: w.startSec + w.durationSec,
      meanFlux: meanOf(w.secFlux),
      onsetCount: w.onsetTimes.length,
      ...w.rhythm!,
    }));
  const concatenated = (pick: (w: WindowResult) => Float32Array) => {
    const parts = nonSilent.map(pick);
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const tooShort = nonSilentSec < MIN_RHYTHM_SEC;
  const shortReason = `too short to measure: ${round2(nonSilentSec)} s of audio, at least ${MIN_RHYTHM_SEC} s needed`;
  let bpm: AnalysisResult['bpm'];
  let beats: AnalysisResult['beats'];
  let windowBpmByStart = new Map<number, number | null>();
  if (tooShort) {
    bpm = nm(shortReason);
    beats = nm(shortReason);
  } else if (!rhythmWindows.length) {
    bpm = nm('the beat tracker failed on every window');
    beats = nm('the beat tracker failed on every window');
  } else {
    const summary = summariseRhythm({
      windows: rhythmWindows,
      onsets: { times: concatenated((w) => w.onsetTimes), strengths: concatenated((w) => w.onsetStrengths) },
    });
    bpm = summary.bpm;
    beats = summary.beats;
    if (kind === 'mix') {
      const perWindow = mixWindowTempos(rhythmWindows);
      rhythmWindows.forEach((w, i) => windowBpmByStart.set(w.startSec, perWindow[i]));
      const known = perWindow.filter((b): b is number => b !== null);
      if (bpm.measurable && known.length) {
        bpm = {
          ...bpm,
          bpm: round2(median(known)),
          windowRange: [Math.min(...known), Math.max(...known)],
          method: 'median of window tempos (mix)',
        };
      }
    } else {
      windowBpmByStart = new Map(rhythmWindows.map((w, i) => [w.startSec, summary.windowBpm[i]]));
    }
  }

  // Key.
  const votes: KeyVote[] = nonSilent
    .filter((w) => w.key)
    .map((w) => ({ key: w.key!.key, scale: w.key!.scale, strength: w.key!.strength, durationSec: w.durationSec }));
  const key = aggregateKey(votes, keyProfile);

  // Danceability: time-weighted mean of the windows long enough for it.
  const danceWindows = nonSilent.filter((w) => typeof w.danceability === 'number' && Number.isFinite(w.danceability));
  const danceSec = danceWindows.reduce((a, w) => a + w.durationSec, 0);
  const danceability: AnalysisResult['danceability'] = danceWindows.length
    ? {
        measurable: true,
        value: round2(danceWindows.reduce((a, w) => a + w.danceability! * w.durationSec, 0) / danceSec),
      }
    : nm(tooShort ? shortReason : 'Danceability failed on every window');

  // Energy rating.
  const onBeats = rhythmWindows.flatMap((w) => Array.from(w.onBeat));
  const energy: AnalysisResult['energy'] = {
    measurable: true,
    ...energyRating({
      integratedLufs: loudness.measurable ? loudness.integratedLufs : null,
      meanRmsDbfs: dbfs(energySum / Math.max(1, audibleSec)),
      centroidHz: centroidWeight > 0 ? centroidSum / centroidWeight : 0,
      onsetRate: onsets / Math.max(1, audibleSec),
      // Only when there is a beat: the "beats" of a pad or rubato passage say nothing about its drive.
      beatStrength: bpm.measurable && onBeats.length && meanFlux > 0 ? median(onBeats) / meanFlux : null,
    }),
  };

  // Energy over time and outline.
  const { raw: rawCurve, smooth: curve } = energyCurves(secMeanSquare, secFlux);
  const bar =
    beats.measurable && bpm.measurable && beats.grid.stability === 'steady'
      ? { firstDownbeatSec: beats.firstDownbeatSec, barSec: (4 * 60) / bpm.bpm }
      : undefined;
  const outline: AnalysisResult['outline'] =
    analysedSec < MIN_OUTLINE_SEC
      ? nm(`too short for an outline: ${round2(analysedSec)} s, at least ${MIN_OUTLINE_SEC} s needed`)
      : {
          measurable: true,
          ...outlineFromCurve(curve, { bar, raw: rawCurve }),
        };

  // Timeline.
  const timeline = windows.map((w) => {
    const from = Math.round(w.startSec);
    const n = w.secMeanSquare.length;
    let e = 0;
    for (let t = from; t < Math.min(curve.length, from + n); t++) e += curve[t];
    return timelineEntry(
      w,
      windowBpmByStart.get(w.startSec) ?? null,
      w.silent ? null : (w.key ?? null),
      n ? e / n : 0,
      silenceDbfs,
    );
  });

  const result: AnalysisResult = {
    ...base,
    silent: false,
    bpm,
    beats,
    key,
    loudness,
    danceability,
    energy,
    outline,
    timeline: withFailed(timeline),
  };
  if (kind === 'mix') {
    const tempos = timeline.map((t) => t.bpm).filter((b): b is number => b !== null);
    result.mix = {
      medianBpm: tempos.length ? round2(median(tempos)) : null,
      bpmRange: tempos.length ? [Math.min(...tempos), Math.max(...tempos)] : null,
      ...keyCoverage(votes),
    };
  }
  if (options.tags) result.tags = compareTags(bpm, key, options.tags);
  return result;
}

/**
 * Tempo per window of a mix: each window's own grid and octave evidence (a mix may move from 128 to 174),
 * then a window whose tempo is an octave away from both neighbours, which agree, is folded back (the
 * tracker halving one window is likelier than the DJ doubling the tempo for 30 s).
 */
export function mixWindowTempos(windows: BeatWindowInput[]): (number | null)[] {
  const raw = windows.map((w) => {
    const t = windowTempo(w);
    return t === null ? null : chooseOctave(t, octaveEvidence([w])).bpm;
  });
  return raw.map((b, i) => {
    if (b === null) return null;
    const prev = raw[i - 1];
    const next = raw[i + 1];
    if (prev != null && next != null && Math.abs(prev / next - 1) < 0.04) {
      const folded = alignOctave(b, (prev + next) / 2);
      if (folded !== b && Math.abs(folded / prev - 1) < 0.04) return round2(folded);
    }
    return round2(b);
  });
}

function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : 0;
}

function timelineEntry(
  w: WindowResult,
  bpm: number | null,
  key: WindowResult['key'] | null,
  energy: number,
  silenceDbfs: number,
): TimelineWindow {
  const pc = key ? pitchClassOf(key.key) : undefined;
  const names = key && pc !== undefined && key.strength > 0 ? keyNames(pc, key.scale) : undefined;
  const level = dbfs(w.meanSquare);
  return {
    startSec: round2(w.startSec),
    endSec: round2(w.startSec + w.durationSec),
    silent: w.silent || level < silenceDbfs,
    bpm,
    key: names ? { name: names.name, camelot: names.camelot, strength: round2(key!.strength) } : null,
    energy: round2(energy),
    loudnessDbfs: Number.isFinite(level) ? round2(level) : null,
  };
}
