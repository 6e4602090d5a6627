import { spawn } from 'node:child_process';
import { findFfmpeg, pathArg, superviseChild } from '@crateflow/audio';

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

export function measureLoudness(
  filePath: string,
  options: { streamIndex?: number; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<EbuR128> {
  const { ffmpeg } = findFfmpeg();
  // Sample peak is free; the 4× oversampled true peak doubled the filter's cost, so it is left out.
  const filter = 'ebur128=framelog=verbose:peak=sample';
  // -v info prints the summary; framelog=verbose keeps the 10-per-second frame lines out of it.
  const args = ['-nostdin', '-hide_banner', '-nostats', '-v', 'info', '-i', pathArg(filePath)];
  args.push('-map', options.streamIndex !== undefined ? `0:${options.streamIndex}` : '0:a:0', '-vn', '-sn', '-dn');
  args.push('-af', filter, '-f', 'null', '-');
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new LoudnessError('loudness measurement aborted'));
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      tail = (tail + d).slice(-8192); // the summary is at the end
    });
    const supervision = superviseChild(child, options);
    const done = () => supervision.release();
    child.on('error', (e) => {
      done();
      reject(new LoudnessError(`ffmpeg could not be started: ${e.message}`));
    });
    child.on('close', (code) => {
      done();
      const killedFor = supervision.killedFor();
      if (killedFor) return reject(new LoudnessError(`loudness measurement ${killedFor}`));
      if (code !== 0) return reject(new LoudnessError(`ffmpeg ebur128 exited with code ${code}: ${lastLine(tail)}`));
      try {
        resolve(parseEbur128Summary(tail));
      } catch (e) {
        reject(e);
      }
    });
  });
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

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-1)[0] ?? ''
  );
}
