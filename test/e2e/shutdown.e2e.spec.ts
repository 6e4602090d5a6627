import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Subjects, type ServiceName } from '@crateflow/contracts';
import { Messaging, type LiveMessage, type LiveSubscription } from '@crateflow/messaging';
import { recordFiles, type FileRow } from '../../apps/metadata/test/file-rows';
import { RECORDINGS } from '../../apps/fingerprint/test/audio-files';
import { NATS_URL, TestSystem, type RunningProcess } from './system';

/**
 * Issue 9: shutdown and crashes never fail a file or a job. Each stage runs as its own process, leader of its
 * own process group as under `npm start`; while it works on a long file (or a mix identification job) the
 * whole group gets SIGTERM or SIGINT, as from the runner or a terminal's Ctrl-C. The ffmpeg/ffprobe children
 * are in groups of their own, so they are not killed under the stage's feet: the stage either finishes the
 * job within its grace period or aborts it and hands the message back. After a restart the file or job is
 * completed, and no failure was ever announced or recorded.
 */
describe('a stage stopped by a signal mid-job fails nothing', () => {
  let work: string;
  let system: TestSystem;
  let bus: Messaging;
  let live: LiveSubscription;
  const seen: LiveMessage[] = [];
  let longTrack: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cf-shutdown-'));
    // About six minutes of real music in one file: long enough to be in flight when the signal comes.
    longTrack = path.join(work, 'long set.flac');
    const inputs = Object.values(RECORDINGS).flatMap((f) => ['-i', f]);
    const n = Object.values(RECORDINGS).length;
    const streams = Array.from(
      { length: n },
      (_, i) => `[${i}:a]aresample=44100,aformat=channel_layouts=stereo[a${i}]`,
    );
    const concat = `${streams.join(';')};${Array.from({ length: n }, (_, i) => `[a${i}]`).join('')}concat=n=${n}:v=0:a=1[out]`;
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-nostdin',
      ...inputs,
      '-filter_complex',
      concat,
      '-map',
      '[out]',
      longTrack,
    ]);
    system = new TestSystem({});
    await system.init();
    bus = await Messaging.connect({ url: NATS_URL, prefix: system.prefix, name: 'shutdown-test' });
    await bus.provision(); // the streams, so the live feed can start before any stage has run
    live = await bus.subscribeLive('>', (m) => void seen.push(m));
  }, 120_000);

  afterAll(async () => {
    await live?.stop();
    await bus?.close();
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  const waitSeen = (match: (m: LiveMessage) => boolean, what: string) =>
    system.waitFor(what, async () => seen.find(match), 120_000, 100);

  const fileEvent = (fileId: string, subject: string) => (m: LiveMessage) =>
    m.subject === subject && (m.payload as { fileId?: string }).fileId === fileId;

  async function signalGroup(p: RunningProcess, signal: NodeJS.Signals): Promise<number | null> {
    process.kill(-p.proc.pid!, signal);
    const code = await p.exited;
    system.processes.delete(p.name);
    return code;
  }

  let cases = 0;
  /** A file of its own for each case: another name (a hard link) for the long track. */
  async function newFile(): Promise<FileRow> {
    const name = path.join(work, `case ${++cases}.flac`);
    linkSync(longTrack, name);
    const [row] = await recordFiles(system.dataSource, [name]);
    return row;
  }

  const failedRows = async (table: string, f: FileRow): Promise<number> =>
    (
      await system.dataSource.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE file_id = $1 AND status = 'failed'`,
        [f.id],
      )
    )[0].n;

  /** One kind of work a stage does: how to hand it a file, and how to tell it was completed, never failed. */
  interface Scenario {
    name: string;
    service: ServiceName;
    /** Hands the stage its work on the file and waits until it is in flight; resolves to the job's id. */
    begin(file: FileRow): Promise<string>;
    /** Waits for the work to end (after the restart) and checks it completed and nothing failed. */
    expectCompleted(file: FileRow, jobId: string): Promise<void>;
  }

  /** A per-file stage: triggered by the previous stage's event, announcing started and then its outcome. */
  function stageScenario(
    stage: 'metadata' | 'fingerprint' | 'analysis',
    table: string,
    trigger: (f: FileRow) => Promise<unknown>,
  ): Scenario {
    return {
      name: stage,
      service: stage,
      begin: async (f) => {
        await trigger(f);
        await waitSeen(fileEvent(f.id, `file.${stage}.started`), `${stage} to start on the file`);
        return f.id;
      },
      expectCompleted: async (f) => {
        const outcome = await waitSeen(
          (m) =>
            m.subject.startsWith(`file.${stage}.`) &&
            !m.subject.endsWith('.started') &&
            (m.payload as { fileId: string }).fileId === f.id,
          `the ${stage} outcome`,
        );
        expect(outcome.subject).toBe(`file.${stage}.completed`);
        expect(seen.filter(fileEvent(f.id, `file.${stage}.failed`))).toEqual([]);
        expect(await failedRows(table, f)).toBe(0);
      },
    };
  }

  // Analysis first: a stage started later would find the outcomes of earlier cases queued before its own file.
  const scenarios: Scenario[] = [
    stageScenario('analysis', 'file_analysis', (f) =>
      bus.publish(
        Subjects.fingerprint.completed,
        { fileId: f.id, contentHash: f.contentHash, stage: 'fingerprint', outcome: 'completed', generation: 1 },
        { msgId: `${f.id}:fingerprint` },
      ),
    ),
    stageScenario('metadata', 'file_metadata', (f) =>
      bus.publish(
        Subjects.fileDiscovered,
        { fileId: f.id, scanId: randomUUID(), contentHash: f.contentHash, kind: 'music', generation: 1 },
        { msgId: `${f.id}:discovered` },
      ),
    ),
    stageScenario('fingerprint', 'file_fingerprints', (f) =>
      bus.publish(
        Subjects.metadata.completed,
        { fileId: f.id, contentHash: f.contentHash, stage: 'metadata', outcome: 'completed', generation: 1 },
        { msgId: `${f.id}:metadata` },
      ),
    ),
    {
      name: 'mixes (an identification job)',
      service: 'fingerprint',
      begin: async (f) => {
        const jobId = randomUUID();
        await bus.publish(
          Subjects.mixIdentifyRequested,
          { jobId, fileId: f.id, requestedAt: new Date().toISOString() },
          { msgId: jobId },
        );
        await system.waitFor('the job to run', async () => {
          const [job] = await system.dataSource.query(`SELECT status FROM mix_identifications WHERE id = $1`, [jobId]);
          return job?.status === 'running';
        });
        return jobId;
      },
      expectCompleted: async (_f, jobId) => {
        const finished = await waitSeen(
          (m) => m.subject === 'mix.identify.finished' && (m.payload as { jobId: string }).jobId === jobId,
          'the identification to finish',
        );
        expect(finished.payload).toMatchObject({ status: 'done' });
        const [job] = await system.dataSource.query(
          `SELECT status, failure_reason FROM mix_identifications WHERE id = $1`,
          [jobId],
        );
        expect(job).toEqual({ status: 'done', failure_reason: null });
      },
    },
  ];

  // SIGTERM with the usual grace period: the job finishes before the stage exits. SIGINT with a grace period
  // shorter than the job: the job is aborted, its message handed back and done again after the restart.
  const signals: { signal: NodeJS.Signals; graceMs: string }[] = [
    { signal: 'SIGTERM', graceMs: '25000' },
    { signal: 'SIGINT', graceMs: '300' },
  ];

  for (const scenario of scenarios) {
    for (const { signal, graceMs } of signals) {
      it(`${scenario.name}: ${signal} while in flight (grace ${graceMs} ms), then restart: completed, nothing failed`, async () => {
        const env = { SHUTDOWN_GRACE_MS: graceMs };
        const service = await system.start(scenario.service, env, undefined, true);
        const file = await newFile();
        const jobId = await scenario.begin(file);
        const code = await signalGroup(service, signal);
        expect({ code, output: code === 0 ? '' : service.output.join('').slice(-3000) }).toEqual({
          code: 0,
          output: '',
        });
        await system.start(scenario.service, env, undefined, true);
        await scenario.expectCompleted(file, jobId);
        await system.stop(scenario.service);
      });
    }
  }
});
