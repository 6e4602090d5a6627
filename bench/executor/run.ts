import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '@crateflow/persistence/src/testing';
import { JournalRepository } from '../../apps/executor/src/journal/journal.repository';
import { ExecutionRunner } from '../../apps/executor/src/runs/execution-runner';
import { NO_EVENTS, SILENT_LOGGER } from '../../apps/executor/test/fault-scenario';
import { operationFor, recordFile } from '../../apps/executor/test/library-fixture';
import { buildLibrary } from './library';

/**
 * Executor throughput, moving BENCH_FILES files (default 2,000; mean BENCH_MEAN_KB KiB, default 200):
 *  (a) across filesystems (disk → tmpfs /dev/shm), against `cp` + `sha256sum` + `rm` of the same files in
 *      the same run (batched: one cp, one sha256sum over all copies, one rm);
 *  (b) within one filesystem, against `mv` of each file (one shell, one mv per file, as a script would).
 * Crateflow runs the real protocol with its PostgreSQL journal (a fresh test database), in-process.
 * Page cache is warm for both sides (the master tree is read before each round).
 *
 *   node -r @swc-node/register bench/executor/run.ts
 */
const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, 'bench', '.work', 'executor');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const MEAN_KB = Number(process.env.BENCH_MEAN_KB ?? 200);
const SHM = process.env.BENCH_OTHER_FS ?? '/dev/shm';

/** CPU seconds of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17, in clock ticks (USER_HZ = 100)
}

/** CPU seconds of this process (every thread, the executor's file workers included). */
function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function sh(script: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`failed: ${script.slice(0, 200)}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function crateflowMove(src: string, dst: string, rel: string[], journal: JournalRepository) {
  const ops = rel.map((r) =>
    operationFor(recordFile(path.join(src, r)), path.join(dst, 'music', r.replace('album', 'Artist'))),
  );
  const t0 = process.hrtime.bigint();
  const cpu0 = ownCpu();
  const id = await journal.createExecution({
    kind: 'run',
    mode: 'move',
    operations: ops,
    options: { removeEmptyFolders: false },
  });
  const runner = new ExecutionRunner(journal, NO_EVENTS, SILENT_LOGGER, { progressIntervalMs: 250 });
  runner.enqueue(id);
  await runner.idle();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = ownCpu() - cpu0;
  const counts = await journal.counts(id);
  if (counts.done !== rel.length) throw new Error(`only ${counts.done} of ${rel.length} files moved`);
  return { seconds, cpu, method: (await journal.operationsOf(id))[0].method };
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const master = path.join(WORK, 'master');
  const { rel, bytes } = buildLibrary(master, FILES, MEAN_KB);
  const mb = bytes / 1024 / 1024;
  const db = await createTestDatabase('bench-executor');
  const journal = new JournalRepository(db.dataSource);
  const other = path.join(SHM, `crateflow-bench-executor-${process.pid}`);
  const src = path.join(WORK, 'src');
  const same = path.join(WORK, 'same');
  const fresh = () => {
    rmSync(src, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
    rmSync(same, { recursive: true, force: true });
    sh(`cp -al '${master}' '${src}' && cat '${master}'/*/* > /dev/null`);
    mkdirSync(other, { recursive: true });
    mkdirSync(same, { recursive: true });
  };
  try {
    console.log(`${FILES} files, ${mb.toFixed(0)} MiB; load average ${loadavg()[0].toFixed(2)}`);
    // (a) across filesystems
    fresh();
    const refCpu0 = childrenCpu();
    const ref = sh(
      `cp -r --preserve=mode,timestamps '${src}' '${other}/ref' && cd '${other}/ref' && find . -type f -print0 | xargs -0 sha256sum > /dev/null && rm -rf '${src}'`,
    );
    const refCpu = childrenCpu() - refCpu0;
    fresh();
    const ours = await crateflowMove(src, other, rel, journal);
    const line = (label: string, s: number) =>
      `${label.padEnd(34)} ${s.toFixed(2).padStart(7)} s  ${(FILES / s).toFixed(0).padStart(6)} files/s  ${(mb / s).toFixed(1).padStart(7)} MiB/s`;
    console.log('\n(a) across filesystems (disk → tmpfs)');
    console.log(line('cp + sha256sum + rm', ref));
    console.log(line(`crateflow move (${ours.method})`, ours.seconds));
    console.log(`ratio (reference time / crateflow time): ${(ref / ours.seconds).toFixed(2)} (aim ≥ 0.8)`);
    console.log(
      `CPU: reference ${refCpu.toFixed(2)} s, crateflow ${ours.cpu.toFixed(2)} s (the executor process with its file workers; PostgreSQL's journal work not counted), ratio ${(refCpu / ours.cpu).toFixed(2)}`,
    );
    console.log(`load average after (a): ${loadavg()[0].toFixed(2)}`);

    // (b) within one filesystem
    fresh();
    const script = path.join(WORK, 'mv.sh');
    writeFileSync(
      script,
      rel
        .map((r) => {
          const to = path.join(same, 'ref', r.replace('album', 'Artist'));
          return `mkdir -p '${path.dirname(to)}' && mv -n '${path.join(src, r)}' '${to}'`;
        })
        .join('\n') + '\n',
    );
    const refMv = sh(`sh '${script}'`);
    fresh();
    const local = await crateflowMove(src, same, rel, journal);
    console.log('\n(b) within one filesystem');
    console.log(line('mv (one per file)', refMv));
    console.log(line(`crateflow move (${local.method})`, local.seconds));
    console.log(
      `ratio (mv time / crateflow time): ${(refMv / local.seconds).toFixed(2)}; aim ≥ 500 files/s: ${FILES / local.seconds >= 500 ? 'met' : 'not met'}`,
    );
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(same, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
    if (existsSync(master) && process.env.BENCH_KEEP !== '1') rmSync(master, { recursive: true, force: true });
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
