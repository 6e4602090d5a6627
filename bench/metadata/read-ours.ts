import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { TagReaderPool, loadMusicMetadata, readTags, type TagReadResult } from '../../apps/metadata/src/tags';

/**
 * Reads every file in a list with Crateflow's tag reader and prints one JSON line (the counterpart
 * of mutagen_read.py). Run by run.ts in its own process so its peak RSS is its own.
 *
 *   read-ours.ts <list-file> pool <workers> <passes>      TagReaderPool: worker threads, blocking reads
 *   read-ours.ts <list-file> inline <concurrency> <passes> readTags in this thread, asynchronous reads
 *
 * One untimed pass over the whole list comes first: V8 needs on the order of a thousand files per
 * thread before music-metadata's code and ours run optimised, and a service reads far more than
 * that. Then `passes` timed passes; the fastest is reported, and the least CPU time (all threads) any
 * pass used. mutagen_read.py does the same.
 */
type Reader = (path: string) => Promise<TagReadResult>;

async function pass(
  paths: string[],
  read: Reader,
  parallel: number,
): Promise<{ seconds: number; cpuSeconds: number; results: PromiseSettledResult<TagReadResult>[] }> {
  const results: PromiseSettledResult<TagReadResult>[] = new Array(paths.length);
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < paths.length) {
        const i = next++;
        results[i] = await read(paths[i]).then(
          (value) => ({ status: 'fulfilled' as const, value }),
          (reason: unknown) => ({ status: 'rejected' as const, reason }),
        );
      }
    }),
  );
  // Process-wide: the pool's worker threads are counted too.
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, results };
}

async function main(): Promise<void> {
  const [listFile, mode = 'pool', countArg, passesArg] = process.argv.slice(2);
  const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const passes = Math.max(1, Number(passesArg) || 5);
  let read: Reader;
  let parallel: number;
  let inFlight: number;
  let pool: TagReaderPool | null = null;
  if (mode === 'pool') {
    parallel = Math.max(1, Number(countArg) || availableParallelism());
    pool = new TagReaderPool({ workers: parallel });
    read = (p) => pool!.read(p);
    inFlight = parallel * 8; // enough queued that no worker waits
  } else {
    parallel = Math.max(1, Number(countArg) || 8);
    loadMusicMetadata();
    read = (p) => readTags(p);
    inFlight = parallel;
  }
  await pass(paths, read, inFlight);
  const timed = [];
  for (let i = 0; i < passes; i++) timed.push(await pass(paths, read, inFlight));
  await pool?.close();
  const best = timed.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const rejected = best.results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const sample = best.results
    .filter((r): r is PromiseFulfilledResult<TagReadResult> => r.status === 'fulfilled')
    .slice(0, 3)
    .map(
      (r) =>
        `${r.value.tags.artist} – ${r.value.tags.title} (${r.value.stream.codec}, ${r.value.stream.durationSec} s)`,
    );
  const line = {
    files: paths.length,
    ok: paths.length - rejected.length,
    errors: rejected.length,
    seconds: best.seconds,
    cpu_seconds: Math.min(...timed.map((t) => t.cpuSeconds)),
    passes: timed.map((t) => Math.round(paths.length / t.seconds)),
    max_rss_kb: process.resourceUsage().maxRSS,
    mode,
    parallel,
    firstErrors: rejected.slice(0, 5).map((r) => String((r.reason as Error).message)),
    sample,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

void main();
