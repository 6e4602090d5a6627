import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '@crateflow/persistence/src/testing';
import { JournalRepository, type StepRecord } from '../../apps/executor/src/journal/journal.repository';
import { ExecutionRunner } from '../../apps/executor/src/runs/execution-runner';
import { NO_EVENTS, SILENT_LOGGER } from '../../apps/executor/test/fault-scenario';
import { operationFor, recordFile } from '../../apps/executor/test/library-fixture';
import { buildLibrary, libraryPaths } from './library';

/**
 * Where the cross-filesystem half of bench/executor spends its time: the same 2,000 files (disk → tmpfs),
 * moved BENCH_ROUNDS times (default 3) in one process, each round printing its wall time, the CPU of every
 * thread of the process (main thread first; the file workers are new threads each round), and the moment of
 * each journal commit with its phase and size (from the start of the round, in ms). The first round also
 * pays for compiling the code, as the bench's single run does.
 *
 *   node -r @swc-node/register bench/executor/profile.ts      # BENCH_KEEP=1 keeps the files for the next run
 */
const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'bench', '.work', 'executor-profile');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const MEAN_KB = Number(process.env.BENCH_MEAN_KB ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SHM = process.env.BENCH_OTHER_FS ?? '/dev/shm';

/** CPU seconds of one thread of this process (utime + stime of /proc/self/task/<tid>/stat). */
function threadCpu(tid: string): number {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14 and 15, in clock ticks (USER_HZ = 100)
}

function threadsCpu(): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      cpu.set(tid, threadCpu(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return cpu;
}

function sh(script: string): void {
  if (spawnSync('sh', ['-c', script], { stdio: 'inherit' }).status !== 0) throw new Error(`failed: ${script}`);
}

async function main(): Promise<void> {
  const master = path.join(WORK, 'master');
  // The same files as bench/executor/run.ts, built once and kept between rounds.
  const rel = existsSync(master) ? libraryPaths(FILES) : buildLibrary(master, FILES, MEAN_KB).rel;
  const db = await createTestDatabase('bench-executor-profile');
  let commits: { ms: number; phase: string; steps: number }[] = [];
  let t0 = process.hrtime.bigint();
  const journal = new JournalRepository(db.dataSource, (steps: StepRecord[]) =>
    commits.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, phase: steps[0].phase, steps: steps.length }),
  );
  const src = path.join(WORK, 'src');
  const other = path.join(SHM, `crateflow-bench-executor-profile-${process.pid}`);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      rmSync(src, { recursive: true, force: true });
      rmSync(other, { recursive: true, force: true });
      sh(`cp -al '${master}' '${src}' && cat '${master}'/*/* > /dev/null`);
      mkdirSync(other, { recursive: true });
      const ops = rel.map((r) =>
        operationFor(recordFile(path.join(src, r)), path.join(other, 'music', r.replace('album', 'Artist'))),
      );
      const load = loadavg()[0];
      commits = [];
      const before = threadsCpu();
      t0 = process.hrtime.bigint();
      const id = await journal.createExecution({
        kind: 'run',
        mode: 'move',
        operations: ops,
        options: { removeEmptyFolders: false },
      });
      const created = Number(process.hrtime.bigint() - t0) / 1e6;
      const runner = new ExecutionRunner(journal, NO_EVENTS, SILENT_LOGGER, { progressIntervalMs: 250 });
      runner.enqueue(id);
      await runner.idle();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const after = threadsCpu();
      const counts = await journal.counts(id);
      const threads = [...after]
        .map(([tid, cpu]) => ({ tid, cpu: cpu - (before.get(tid) ?? 0) }))
        .filter((t) => t.cpu >= 0.01)
        .sort((a, b) => (a.tid === String(process.pid) ? -1 : b.tid === String(process.pid) ? 1 : b.cpu - a.cpu));
      const total = threads.reduce((sum, t) => sum + t.cpu, 0);
      console.log(
        `round ${round} (load ${load.toFixed(2)}): ${seconds.toFixed(2)} s, ${counts.done} done, CPU ${total.toFixed(2)} s; execution created in ${created.toFixed(0)} ms`,
      );
      console.log(`  CPU by thread (s): ${threads.map((t) => `${t.tid} ${t.cpu.toFixed(2)}`).join(', ')}`);
      console.log(`  commits (ms): ${commits.map((c) => `${c.phase}:${c.steps}@${c.ms.toFixed(0)}`).join(' ')}`);
    }
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== '1') rmSync(master, { recursive: true, force: true });
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
