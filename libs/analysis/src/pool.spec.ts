import * as path from 'node:path';
import { AnalysisError } from './errors';
import { EssentiaPool } from './pool';
import type { WindowRequest } from './window';

const FAKE = path.join(__dirname, '../test/fake-worker.js');

function request(first: number, length = 16): WindowRequest {
  const samples = new Float32Array(length);
  samples[0] = first;
  return { samples, sampleRate: 44100, startSec: 0, keyProfile: 'krumhansl', minRhythmSec: 6, silenceDbfs: -60 };
}

describe('EssentiaPool', () => {
  it('ends a thread that overruns its time limit and carries on with a fresh one', async () => {
    const pool = new EssentiaPool({ workerScript: FAKE, callTimeoutMs: 300 });
    try {
      const hung = pool.run(request(1));
      await expect(hung).rejects.toMatchObject({ code: 'timeout' });
      await expect(pool.run(request(0))).resolves.toMatchObject({ errors: [] });
      expect(pool.stats()).toMatchObject({ threadsStarted: 2, threadsRecycled: 1 });
    } finally {
      await pool.close();
    }
  });

  it('turns a crashed or exited thread into a rejected call, never a crashed caller', async () => {
    const pool = new EssentiaPool({ workerScript: FAKE });
    try {
      await expect(pool.run(request(2))).rejects.toBeInstanceOf(AnalysisError);
      await expect(pool.run(request(3))).rejects.toMatchObject({ code: 'worker-failed' });
      await expect(pool.run(request(0))).resolves.toBeDefined();
    } finally {
      await pool.close();
    }
  });

  it('cancels a running call at once when the signal aborts', async () => {
    const pool = new EssentiaPool({ workerScript: FAKE, callTimeoutMs: 60_000 });
    try {
      const ac = new AbortController();
      const hung = pool.run(request(1), { signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      const t = Date.now();
      await expect(hung).rejects.toMatchObject({ code: 'aborted' });
      expect(Date.now() - t).toBeLessThan(5000);
      await expect(pool.run(request(0), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      await pool.close();
    }
  });

  it('recycles threads after N calls and when the heap grows past the limit', async () => {
    const byCalls = new EssentiaPool({ workerScript: FAKE, maxCallsPerWorker: 2 });
    const byHeap = new EssentiaPool({ workerScript: FAKE, maxHeapBytes: 100 });
    try {
      for (let i = 0; i < 5; i++) await byCalls.run(request(0));
      expect(byCalls.stats().threadsStarted).toBe(3);
      await byHeap.run(request(0, 8)); // 32 bytes: under the limit, kept
      await byHeap.run(request(0, 64)); // 256 bytes: over, recycled
      await byHeap.run(request(0, 8));
      expect(byHeap.stats().threadsStarted).toBe(2);
    } finally {
      await byCalls.close();
      await byHeap.close();
    }
  });

  it('runs calls in parallel up to its size and queues the rest', async () => {
    const pool = new EssentiaPool({ workerScript: FAKE, size: 2 });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => pool.run(request(0))));
      expect(results).toHaveLength(6);
      expect(pool.stats().threadsStarted).toBe(2);
    } finally {
      await pool.close();
    }
    await expect(pool.run(request(0))).rejects.toThrow(/closed/);
  });
});
