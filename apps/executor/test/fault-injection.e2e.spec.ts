import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';
import { JournalRepository } from '../src/journal/journal.repository';
import { ExecutionRunner } from '../src/runs/execution-runner';
import { buildBatch, NO_EVENTS, reconcileInProcess, seededRandom, SILENT_LOGGER, undoBatchOf } from './fault-scenario';
import {
  checkExactlyOnce,
  leftovers,
  removeFolder,
  startExecutorProcess,
  tempFolder,
  waitFor,
} from './library-fixture';

/**
 * Fault injection on a real executor process: SIGKILL at each step of the protocol (the hook is driven by
 * CRATEFLOW_EXECUTOR_KILL_AT), then reconcile and restart. After every kill and after the restart, every
 * file exists exactly once, at its source or its destination, with its original hash, and the journal agrees.
 * Sources live on the disk (/tmp), destinations on tmpfs (/dev/shm) or on the same disk.
 */
describe('executor fault injection (SIGKILL at each protocol step, then restart)', () => {
  let db: TestDatabase;
  let journal: JournalRepository;
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const folders: string[] = [];
  const env = () => ({ DATABASE_URL: db.url, NATS_URL, NATS_PREFIX: prefix, DATABASE_POOL_SIZE: '3' });

  beforeAll(async () => {
    db = await createTestDatabase('executor-faults');
    journal = new JournalRepository(db.dataSource);
  });
  afterAll(async () => {
    for (const f of folders) removeFolder(f);
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  async function hashesOf(executionId: string, files: { hash: string }[]) {
    const ops = await journal.operationsOf(executionId);
    return new Map(ops.map((o, i) => [o.id, files[i].hash]));
  }

  /** Runs the executor until it kills itself at `killAt` (or finishes, which fails the test). */
  async function runUntilKilled(executionId: string, killAt: string, killAfter = 1) {
    const p = startExecutorProcess({
      ...env(),
      CRATEFLOW_EXECUTOR_KILL_AT: killAt,
      CRATEFLOW_EXECUTOR_KILL_AFTER: String(killAfter),
    });
    let exit: { signal: NodeJS.Signals | null } | undefined;
    void p.exited.then((e) => (exit = e));
    const ended = await waitFor(
      `the executor to reach ${killAt}`,
      async () => exit ?? ((await journal.execution(executionId))?.status === 'completed' ? 'completed' : null),
      90_000,
    );
    if (ended === 'completed') {
      p.proc.kill('SIGKILL');
      await p.exited;
      return false;
    }
    expect({ signal: exit!.signal, output: exit!.signal === 'SIGKILL' ? '' : p.output.join('') }).toEqual({
      signal: 'SIGKILL',
      output: '',
    });
    return true;
  }

  /** Restarts the executor normally and waits for the execution to complete, then stops it with SIGTERM. */
  async function restartToCompletion(executionId: string) {
    const p = startExecutorProcess(env());
    try {
      await waitFor(
        'the resumed execution to complete',
        async () => (await journal.execution(executionId))?.status === 'completed',
        120_000,
      );
    } finally {
      p.proc.kill('SIGTERM');
      await p.exited;
    }
  }

  async function expectConsistent(executionId: string, files: { hash: string }[], dirs: string[]) {
    const ops = await journal.operationsOf(executionId);
    expect(checkExactlyOnce(ops, await hashesOf(executionId, files))).toEqual([]);
    for (const d of dirs) expect(leftovers(d)).toEqual([]);
    return ops;
  }

  const SCENARIOS: { killAt: string; sameFs?: boolean; kind?: 'move' | 'copy'; undo?: boolean }[] = [
    { killAt: 'move:media:journaled:copying' },
    { killAt: 'move:media:copy:mid' },
    { killAt: 'move:media:copy:before-verify' },
    { killAt: 'move:media:journaled:verifying' },
    { killAt: 'move:media:journaled:publishing' },
    { killAt: 'move:media:journaled:published' },
    { killAt: 'move:media:published:before-release' },
    { killAt: 'move:media:journaled:releasing' },
    { killAt: 'move:media:journaled:done' },
    { killAt: 'move:companion:copy:mid' },
    { killAt: 'move:companion:journaled:releasing' },
    { killAt: 'move:media:journaled:claiming', sameFs: true },
    { killAt: 'move:media:published:before-release', sameFs: true },
    { killAt: 'move:media:journaled:releasing', sameFs: true },
    { killAt: 'copy:media:journaled:publishing', kind: 'copy' },
    { killAt: 'copy:media:journaled:published', kind: 'copy' },
    { killAt: 'undo:media:copy:mid', undo: true },
    { killAt: 'undo:media:journaled:published', undo: true },
    { killAt: 'undo:companion:journaled:releasing', undo: true },
    { killAt: 'undo:media:journaled:claiming', undo: true, sameFs: true },
  ];

  it.each(SCENARIOS.map((s) => ({ ...s, where: s.sameFs ? 'one filesystem' : 'across filesystems' })))(
    'SIGKILL at $killAt ($where)',
    async (s) => {
      const src = tempFolder('/tmp', 'fault-src');
      const dst = tempFolder(s.sameFs ? '/tmp' : '/dev/shm', 'fault-dst');
      folders.push(src, dst);
      const random = seededRandom(SCENARIOS.indexOf(s) + 1);
      const batch = buildBatch(src, dst, 4, random, s.kind ?? 'move');
      let executionId = await journal.createExecution({
        kind: 'run',
        mode: s.kind ?? 'move',
        operations: batch.operations,
      });
      let files = batch.files;
      if (s.undo) {
        // The forward execution runs to its end first; the kill happens in the middle of its undo.
        const runner = new ExecutionRunner(journal, NO_EVENTS, SILENT_LOGGER);
        runner.enqueue(executionId);
        await runner.idle();
        expect((await journal.counts(executionId)).done).toBe(batch.operations.length);
        const undoOps = await undoBatchOf(journal, executionId);
        executionId = await journal.createExecution({
          kind: 'undo',
          undoOf: executionId,
          mode: 'move',
          operations: undoOps,
        });
        files = undoOps.map((o) => ({ hash: o.contentHash }) as never);
      }

      expect(await runUntilKilled(executionId, s.killAt)).toBe(true);
      // Straight after the crash, reconciliation alone must bring every file to exactly one place.
      await reconcileInProcess(journal);
      await expectConsistent(executionId, files, [src, dst]);

      await restartToCompletion(executionId);
      const ops = await expectConsistent(executionId, files, [src, dst]);
      expect(ops.map((o) => o.status)).toEqual(ops.map(() => 'done'));
    },
  );

  it('a batch with random kill points, restarted until it completes', async () => {
    const src = tempFolder('/tmp', 'random-src');
    const dst = tempFolder('/dev/shm', 'random-dst');
    const same = tempFolder('/tmp', 'random-same');
    folders.push(src, dst, same);
    const seed = Number(process.env.EXECUTOR_FAULT_SEED ?? Date.now() % 100000);
    const random = seededRandom(seed);
    const cross = buildBatch(src, dst, 12, random);
    const local = buildBatch(src + '/local', same, 8, random);
    const batch = { operations: [...cross.operations, ...local.operations], files: [...cross.files, ...local.files] };
    const executionId = await journal.createExecution({ kind: 'run', mode: 'move', operations: batch.operations });
    let kills = 0;
    for (let round = 0; round < 6; round++) {
      const killed = await runUntilKilled(executionId, '**', 1 + Math.floor(random() * 25));
      if (!killed) break;
      kills++;
      await reconcileInProcess(journal);
      await expectConsistent(executionId, batch.files, [src, dst, same]);
    }
    await restartToCompletion(executionId);
    const ops = await expectConsistent(executionId, batch.files, [src, dst, same]);
    expect({ seed, statuses: [...new Set(ops.map((o) => o.status))] }).toEqual({ seed, statuses: ['done'] });
    expect(kills).toBeGreaterThan(0);
  });

  it('one large batch (no companions to split it) with random kill points in every phase, restarted until it completes', async () => {
    const src = tempFolder('/tmp', 'large-src');
    const dst = tempFolder('/dev/shm', 'large-dst');
    const same = tempFolder('/tmp', 'large-same');
    folders.push(src, dst, same);
    const seed = Number(process.env.EXECUTOR_FAULT_SEED ?? Date.now() % 100000);
    const random = seededRandom(seed);
    const cross = buildBatch(src, dst, 30, random, 'move', { companions: false });
    const local = buildBatch(src + '/local', same, 20, random, 'move', { companions: false });
    const batch = { operations: [...cross.operations, ...local.operations], files: [...cross.files, ...local.files] };
    const executionId = await journal.createExecution({ kind: 'run', mode: 'move', operations: batch.operations });
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      // 350 protocol points in all (9 per copy, 4 per link): anywhere from the first write-ahead step to the
      // last commit, fewer as the batch gets done.
      const killed = await runUntilKilled(executionId, '**', 1 + Math.floor(random() * (300 >> round)));
      if (!killed) break;
      kills++;
      await reconcileInProcess(journal);
      await expectConsistent(executionId, batch.files, [src, dst, same]);
    }
    await restartToCompletion(executionId);
    const ops = await expectConsistent(executionId, batch.files, [src, dst, same]);
    expect({ seed, statuses: [...new Set(ops.map((o) => o.status))] }).toEqual({ seed, statuses: ['done'] });
    expect(kills).toBeGreaterThan(0);
  });

  it('two batches in flight, killed mid-copy in the second and then at random points, restarted until it completes', async () => {
    const src = tempFolder('/tmp', 'flight-src');
    const dst = tempFolder('/dev/shm', 'flight-dst');
    folders.push(src, dst);
    const seed = Number(process.env.EXECUTOR_FAULT_SEED ?? Date.now() % 100000);
    const random = seededRandom(seed);
    // 80 files: the runner's first batch holds 32, the second the rest, and the two run at once.
    const batch = buildBatch(src, dst, 80, random, 'move', { companions: false });
    const executionId = await journal.createExecution({ kind: 'run', mode: 'move', operations: batch.operations });
    // The 40th copy is one of the second batch's: some of its files copied, some not, some still to start,
    // while the first batch is anywhere from copying to its last commit.
    expect(await runUntilKilled(executionId, 'move:media:copy:mid', 40)).toBe(true);
    const atKill = await journal.operationsOf(executionId);
    expect(atKill.filter((o) => o.phase === 'copying').length).toBeGreaterThan(0);
    await reconcileInProcess(journal);
    await expectConsistent(executionId, batch.files, [src, dst]);
    for (let round = 0; round < 3; round++) {
      const killed = await runUntilKilled(executionId, '**', 1 + Math.floor(random() * (400 >> round)));
      if (!killed) break;
      await reconcileInProcess(journal);
      await expectConsistent(executionId, batch.files, [src, dst]);
    }
    await restartToCompletion(executionId);
    const ops = await expectConsistent(executionId, batch.files, [src, dst]);
    expect({ seed, statuses: [...new Set(ops.map((o) => o.status))] }).toEqual({ seed, statuses: ['done'] });
  });

  it('SIGTERM mid-batch finishes or rolls back the file in hand, and a restart resumes the rest', async () => {
    const src = tempFolder('/tmp', 'term-src');
    const dst = tempFolder('/dev/shm', 'term-dst');
    folders.push(src, dst);
    const batch = buildBatch(src, dst, 30, seededRandom(7));
    const executionId = await journal.createExecution({ kind: 'run', mode: 'move', operations: batch.operations });
    const p = startExecutorProcess(env());
    await waitFor('a few files to be moved', async () => (await journal.counts(executionId)).done >= 3, 90_000);
    p.proc.kill('SIGTERM');
    const exit = await p.exited;
    expect({ code: exit.code, output: exit.code === 0 ? '' : p.output.join('') }).toEqual({ code: 0, output: '' });
    const ops = await expectConsistent(executionId, batch.files, [src, dst]);
    expect(ops.filter((o) => o.status === 'running')).toEqual([]);
    const stopped = await journal.counts(executionId);
    expect(stopped.pending).toBeGreaterThan(0);
    await restartToCompletion(executionId);
    const done = await expectConsistent(executionId, batch.files, [src, dst]);
    expect(done.every((o) => o.status === 'done')).toBe(true);
  });
});
