import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@crateflow/persistence/src/testing';
import { deleteTestStreams, NATS_URL } from '../../test/support/service-harness';
import { JournalRepository } from '../../apps/executor/src/journal/journal.repository';
import { buildBatch, reconcileInProcess, seededRandom } from '../../apps/executor/test/fault-scenario';
import {
  checkExactlyOnce,
  leftovers,
  removeFolder,
  startExecutorProcess,
  tempFolder,
  waitFor,
} from '../../apps/executor/test/library-fixture';

/**
 * The large fault-injection run (the suite runs a small one): BENCH_FILES media files (default 500, half
 * with a companion) moved across filesystems (disk → tmpfs) and within one, by a real executor process that
 * SIGKILLs itself at a random protocol step again and again (BENCH_KILLS times at most, default 40), each
 * time reconciled and restarted. After every kill and at the end: every file exactly once, at its source or
 * its destination, with its original hash; the journal agrees; no temporary file is left. Repeated
 * BENCH_ROUNDS times (default 2) with different seeds. Prints what it checked and how long it took.
 *
 *   node -r @swc-node/register bench/executor-faults/run.ts
 */
const FILES = Number(process.env.BENCH_FILES ?? 500);
const KILLS = Number(process.env.BENCH_KILLS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function main(): Promise<void> {
  const db = await createTestDatabase('bench-executor-faults');
  const journal = new JournalRepository(db.dataSource);
  const prefix = `b${randomBytes(5).toString('hex')}`;
  const env = { DATABASE_URL: db.url, NATS_URL, NATS_PREFIX: prefix, DATABASE_POOL_SIZE: '3' };
  let failures = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const seed = Number(process.env.BENCH_SEED ?? Date.now() % 1_000_000) + round;
      const random = seededRandom(seed);
      const src = tempFolder('/tmp', 'bench-src');
      const dst = tempFolder('/dev/shm', 'bench-dst');
      const same = tempFolder('/tmp', 'bench-same');
      try {
        const cross = buildBatch(src, dst, Math.ceil(FILES / 2), random);
        const local = buildBatch(`${src}/local`, same, Math.floor(FILES / 2), random);
        const files = [...cross.files, ...local.files];
        const id = await journal.createExecution({
          kind: 'run',
          mode: 'move',
          operations: [...cross.operations, ...local.operations],
        });
        const hashes = async () => new Map((await journal.operationsOf(id)).map((o, i) => [o.id, files[i].hash]));
        const started = Date.now();
        let kills = 0;
        const check = async (when: string) => {
          const problems = checkExactlyOnce(await journal.operationsOf(id), await hashes());
          const left = [src, dst, same].flatMap(leftovers);
          if (problems.length || left.length) {
            failures++;
            console.log(
              `  ✘ ${when}: ${[...problems, ...left.map((l) => `left behind: ${l}`)].slice(0, 10).join('\n    ')}`,
            );
          }
        };
        for (let k = 0; k < KILLS; k++) {
          const p = startExecutorProcess({
            ...env,
            CRATEFLOW_EXECUTOR_KILL_AT: '**',
            CRATEFLOW_EXECUTOR_KILL_AFTER: String(1 + Math.floor(random() * 120)),
          });
          let exit: { signal: NodeJS.Signals | null } | undefined;
          void p.exited.then((e) => (exit = e));
          const ended = await waitFor(
            'a kill or the end',
            async () => exit ?? ((await journal.execution(id))?.status === 'completed' ? 'done' : null),
            300_000,
          );
          if (ended === 'done') {
            p.proc.kill('SIGTERM');
            await p.exited;
            break;
          }
          kills++;
          await reconcileInProcess(journal);
          await check(`after kill ${kills}`);
        }
        if ((await journal.execution(id))?.status !== 'completed') {
          const p = startExecutorProcess(env);
          await waitFor('completion', async () => (await journal.execution(id))?.status === 'completed', 600_000);
          p.proc.kill('SIGTERM');
          await p.exited;
        }
        await check('at the end');
        const c = await journal.counts(id);
        console.log(
          `round ${round + 1} (seed ${seed}): ${files.length} files, ${kills} kills, ${c.done} done, ${c.failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
        if (c.done !== files.length) failures++;
      } finally {
        removeFolder(src);
        removeFolder(dst);
        removeFolder(same);
      }
    }
  } finally {
    await db.drop();
    await deleteTestStreams(prefix);
  }
  console.log(
    failures ? `✘ ${failures} broken promises` : '✔ every file exactly once, with its hash, after every kill',
  );
  if (failures) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
