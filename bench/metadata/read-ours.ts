import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { TagReaderPool, loadMusicMetadata, readTags, type TagReadResult } from '../../apps/metadata/src/tags';

/**
 * Reads every file in a list with Crateflow's tag reader and prints one JSON line (the counterpart
 * of mutagen_read.py). Run by run.ts in its own process so its peak RSS is its own.
 *
 *   read-ours.ts <list-file> pool <workers>      TagReaderPool: worker threads, blocking reads
 *   read-ours.ts <list-file> inline <concurrency> readTags in this thread, asynchronous reads
 */
/** Files read before timing, by both readers (see mutagen_read.py). */
const WARM_UP = 300;

async function main(): Promise<void> {
  const [listFile, mode = 'pool', countArg] = process.argv.slice(2);
  const paths = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  let ok = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const sample: string[] = [];
  const record = (path: string, r: PromiseSettledResult<TagReadResult>) => {
    if (r.status === 'fulfilled') {
      ok++;
      if (sample.length < 3)
        sample.push(
          `${r.value.tags.artist} – ${r.value.tags.title} (${r.value.stream.codec}, ${r.value.stream.durationSec} s)`,
        );
    } else {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`${path}: ${(r.reason as Error).message}`);
    }
  };

  let seconds: number;
  let parallel: number;
  if (mode === 'pool') {
    parallel = Math.max(1, Number(countArg) || availableParallelism());
    const pool = new TagReaderPool({ workers: parallel });
    // Let the workers start and their JIT warm up before the clock runs (a service runs for days).
    await Promise.allSettled(paths.slice(0, WARM_UP).map((p) => pool.read(p)));
    const started = performance.now();
    const results = await Promise.allSettled(paths.map((p) => pool.read(p)));
    seconds = (performance.now() - started) / 1000;
    results.forEach((r, i) => record(paths[i], r));
    await pool.close();
  } else {
    parallel = Math.max(1, Number(countArg) || 8);
    loadMusicMetadata();
    for (const p of paths.slice(0, WARM_UP)) await readTags(p).catch(() => undefined);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < paths.length) {
          const path = paths[next++];
          record(
            path,
            await readTags(path).then(
              (value) => ({ status: 'fulfilled' as const, value }),
              (reason) => ({ status: 'rejected' as const, reason }),
            ),
          );
        }
      }),
    );
    seconds = (performance.now() - started) / 1000;
  }
  const maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(
    `${JSON.stringify({ files: paths.length, ok, errors, seconds, max_rss_kb: maxRssKb, mode, parallel, firstErrors, sample })}\n`,
  );
}

void main();
