import { extractPeaks, fingerprintPcm, pcmChunks } from './fingerprint';
import { FINGERPRINT_SAMPLE_RATE } from './params';
import { renderSynth } from '../test/support/synth';

const SR = FINGERPRINT_SAMPLE_RATE;

async function* slowSource(chunks: Float32Array[], log: string[], failAt?: number): AsyncGenerator<Float32Array> {
  try {
    for (const [i, c] of chunks.entries()) {
      if (i === failAt) throw new Error('decoder broke');
      await new Promise((r) => setTimeout(r, 1));
      log.push(`produced ${i}`);
      yield c;
    }
  } finally {
    log.push('closed');
  }
}

describe('pcmChunks', () => {
  const pcm = renderSynth(3, 0, 30 * SR);
  const parts = Array.from({ length: 6 }, (_, i) => pcm.subarray(i * 5 * SR, (i + 1) * 5 * SR));

  it('hands out every sample in order, in pieces of at most a second', async () => {
    const out: Float32Array[] = [];
    for await (const c of pcmChunks(slowSource(parts, []))) out.push(c);
    expect(out.every((c) => c.length <= SR)).toBe(true);
    const joined = new Float32Array(out.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of out) {
      joined.set(c, o);
      o += c.length;
    }
    expect(joined).toEqual(pcm);
  });

  it('gives the same fingerprint from a stream as from one array', async () => {
    const a = await fingerprintPcm(pcm);
    const b = await fingerprintPcm(slowSource(parts, []));
    expect(Array.from(b.landmark.hash)).toEqual(Array.from(a.landmark.hash));
    expect(Array.from(b.triplet.time)).toEqual(Array.from(a.triplet.time));
  });

  it('passes the source error on', async () => {
    await expect(extractPeaks(slowSource(parts, [], 3))).rejects.toThrow('decoder broke');
  });

  it('closes an endless source when the consumer is aborted', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const endless = Array.from({ length: 100_000 }, () => parts[0]);
    const run = extractPeaks(slowSource(endless, log), {
      signal: controller.signal,
      onProgress: (sec) => {
        if (sec >= 6) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(log).toContain('closed');
    // Read-ahead is bounded (a minute of audio), so the source stopped long before its end.
    expect(log.filter((l) => l.startsWith('produced')).length).toBeLessThan(30);
  });

  it('rejects chunks that are not Float32Array', async () => {
    await expect(extractPeaks([new Float64Array(10) as unknown as Float32Array])).rejects.toThrow(TypeError);
  });
});
