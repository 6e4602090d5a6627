import {
  TOOL_INPUT,
  ToolInterruptedError,
  UndecodableAudioError,
  findFfmpeg,
  openInput,
  runTool,
} from '@crateflow/audio';

/**
 * EBU R128 loudness with ffmpeg's `ebur128` filter, run as a separate program over the file's own
 * channels (loudness of a stereo file is not the loudness of its mono mix). It matched Essentia's
 * LoudnessEBUR128 on the EBU test vectors and costs a fraction of it, and it has no 2 GiB heap limit, so
 * a 6-hour mix is measured in one streaming pass with flat memory.
 */
export interface EbuR128 {
  /** Integrated loudness (LUFS); null when the programme is below the absolute gate (silence). */
  integratedLufs: number | null;
  /** Loudness range (LU); null when there is not enough gated short-term loudness (very short or silent). */
  rangeLu: number | null;
  /** Sample peak (dBFS) of the original channels; null when ffmpeg did not report it. */
  samplePeakDbfs: number | null;
}

export class LoudnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoudnessError';
  }
}

export async function measureLoudness(
  filePath: string | Buffer,
  options: { streamIndex?: number; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<EbuR128> {
  const { ffmpeg } = findFfmpeg();
  // Sample peak is free; the 4× oversampled true peak doubled the filter's cost, so it is left out.
  const filter = 'ebur128=framelog=verbose:peak=sample';
  // -v info prints the summary; framelog=verbose keeps the 10-per-second frame lines out of it.
  const args = ['-nostdin', '-hide_banner', '-nostats', '-v', 'info', '-i', TOOL_INPUT];
  args.push('-map', options.streamIndex !== undefined ? `0:${options.streamIndex}` : '0:a:0', '-vn', '-sn', '-dn');
  args.push('-af', filter, '-f', 'null', '-');
  if (options.signal?.aborted) throw new ToolInterruptedError('loudness measurement aborted');
  const input = await openInput(filePath);
  try {
    const run = runTool(ffmpeg, args, { ...options, inputFd: input.fd, stdout: 'ignore' });
    let tail = '';
    run.child.stderr!.on('data', (d: string) => {
      tail = (tail + d).slice(-8192); // the summary is at the end
    });
    const failure = await run.finished;
    // An interruption or a time-out is passed on as it is: the caller must not take it for "not measurable".
    if (failure && !(failure instanceof UndecodableAudioError)) throw failure;
    if (failure) throw new LoudnessError(`ffmpeg ebur128 failed: ${failure.message}`);
    return parseEbur128Summary(tail);
  } finally {
    await input.close();
  }
}

/** Reads ffmpeg's ebur128 summary block. Exposed for tests. */
export function parseEbur128Summary(text: string): EbuR128 {
  const at = text.lastIndexOf('Summary:');
  if (at < 0) throw new LoudnessError('ffmpeg printed no ebur128 summary');
  const s = text.slice(at);
  const num = (re: RegExp): number | null => {
    const m = re.exec(s);
    if (!m) return null;
    const v = Number(m[1]);
    return Number.isFinite(v) ? v + 0 : null; // + 0 turns ffmpeg's "-0.0" into 0
  };
  const integrated = num(/I:\s*(-?[\d.]+|-?inf)\s*LUFS/);
  const lra = num(/LRA:\s*(-?[\d.]+)\s*LU\b/);
  const peak = num(/Peak:\s*(-?[\d.]+|-?inf)\s*dBFS/);
  // ffmpeg reports -70 LUFS (the absolute gate) when nothing passed the gate: that is silence, not a level.
  const gated = integrated === null || integrated <= -69.9;
  return {
    integratedLufs: gated ? null : integrated,
    rangeLu: gated ? null : lra,
    samplePeakDbfs: peak,
  };
}
