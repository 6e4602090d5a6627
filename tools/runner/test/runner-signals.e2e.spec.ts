import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Messaging, type LiveMessage, type LiveSubscription } from '@crateflow/messaging';
import { createEmptyDatabase } from '@crateflow/persistence/src/testing';
import { RECORDINGS } from '../../../apps/fingerprint/test/audio-files';
import { findFreePort } from '../src/ports';
import { processesWithEnv } from './proc';

/**
 * Issue 9, `npm start` as a whole: Crateflow started the way the README says (`npm start -- <folder>`, with a
 * data folder of its own, the local PostgreSQL and NATS), stopped while the fingerprint or analysis stage is
 * working on a file, then started again on the same data folder. Twice: SIGTERM to npm (as `kill` or a
 * service manager sends it, npm passes it on to the runner), and SIGINT to the whole foreground process group,
 * as a terminal's Ctrl-C delivers it (npm, the runner, and npm's forwarded copy to the runner). Every file
 * completes and no stage ever records or announces a failure.
 */
const ROOT = path.resolve(__dirname, '../../..');
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

interface Run {
  npm: ChildProcess;
  output: () => string;
  /** npm's own exit. */
  exit: Promise<Exit>;
  /** Every process that shares npm's output (the runner above all) has exited. */
  closed: Promise<void>;
}

interface FileItem {
  id: string;
  path: string;
  state: string;
}
interface StageView {
  stage: string;
  status: string;
  reason: string | null;
}
interface FileDetail {
  file: FileItem;
  stages: StageView[];
  history: { event: string; detail: Record<string, unknown> | null }[];
}

describe('npm start stopped by SIGTERM or Ctrl-C while a stage works on a file, then started again', () => {
  const prefix = `e2esig${randomBytes(4).toString('hex')}`;
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let work: string;
  let music: string;
  let dataDir: string;
  let port: number;
  let bus: Messaging;
  let live: LiveSubscription;
  const seen: LiveMessage[] = [];
  let run: Run | undefined;

  /** `npm start -- …` as a shell starts a foreground job: the leader of a process group of its own. */
  function start(extraEnv: Record<string, string> = {}): Run {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      NATS_PREFIX: prefix,
      NO_COLOR: '1',
      npm_config_update_notifier: 'false',
      ...extraEnv,
    };
    for (const name of ['NATS_URL', 'CRATEFLOW_API_TOKEN', 'CRATEFLOW_DATA_DIR', 'SHUTDOWN_GRACE_MS'])
      if (!(name in extraEnv)) delete env[name];
    const npm = spawn('npm', ['start', '--', '--data-dir', dataDir, '--port', String(port), music], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (c) => (output += c));
    npm.stderr!.on('data', (c) => (output += c));
    const exit = new Promise<Exit>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
    const closed = new Promise<void>((resolve) => npm.once('close', () => resolve()));
    return { npm, output: () => output, exit, closed };
  }

  async function waitUntil<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 240_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (run && run.npm.exitCode !== null) throw new Error(`npm start exited before ${what}:\n${run.output()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${run?.output() ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function api<T>(route: string): Promise<T> {
    const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${port}${route}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Starts npm and waits for the running banner. */
  async function startRunning(extraEnv: Record<string, string> = {}): Promise<void> {
    run = start(extraEnv);
    await waitUntil('the running banner', () => /Crateflow is running\./.test(run!.output()));
  }

  /** Waits until fingerprint or analysis has started on a file and not yet announced its outcome. */
  async function inFlight(after: number): Promise<LiveMessage> {
    return waitUntil('a fingerprint or analysis job in flight', () =>
      seen
        .slice(after)
        .find(
          (m) =>
            /^file\.(fingerprint|analysis)\.started$/.test(m.subject) &&
            !seen.some(
              (o) =>
                o.subject.startsWith(m.subject.replace(/started$/, '')) &&
                o.subject !== m.subject &&
                (o.payload as { fileId: string }).fileId === (m.payload as { fileId: string }).fileId,
            ),
        ),
    );
  }

  /**
   * Stops the run with `deliver`; expects npm to exit in one of the `npmExits` ways and the runner to stop every service in
   * order (none killed) and exit, leaving nothing running.
   */
  async function stopRun(deliver: () => void, npmExits: Exit[]): Promise<void> {
    const current = run!;
    deliver();
    const exit = await current.exit;
    await current.closed;
    run = undefined;
    const output = current.output();
    const clean =
      /stopping the services[\s\S]*\bstopped\n/.test(output) && !/stopping at once|did not stop in time/.test(output);
    expect({ exit, output: clean ? '' : output.slice(-4000) }).toEqual({
      exit: npmExits.find((e) => e.code === exit.code && e.signal === exit.signal) ?? npmExits[0],
      output: '',
    });
    // The services, their ffmpeg/ffprobe children and the runner are all gone (they inherit NATS_PREFIX).
    expect(processesWithEnv('NATS_PREFIX', prefix).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  }

  beforeAll(async () => {
    db = await createEmptyDatabase('runnersig');
    work = mkdtempSync(path.join(tmpdir(), 'cf-runner-signals-'));
    music = path.join(work, 'Music');
    dataDir = path.join(work, 'data');
    mkdirSync(music, { recursive: true });
    // Short real recordings (46 s and 61 s; 120 s for the second run): long enough to be caught in flight.
    copyFileSync(RECORDINGS.hungarianDance, path.join(music, '01 Hungarian Dance.ogg'));
    copyFileSync(RECORDINGS.vibeAce, path.join(music, '02 Vibe Ace.ogg'));
    port = await findFreePort(3400 + Math.floor(Math.random() * 500));
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'runner-signals-test' });
    await bus.provision(); // the streams, so the feed can start before the services do
    live = await bus.subscribeLive('>', (m) => void seen.push(m));
  });

  afterAll(async () => {
    if (run && run.npm.exitCode === null) {
      process.kill(-run.npm.pid!, 'SIGINT');
      await run.exit;
    }
    for (const p of processesWithEnv('NATS_PREFIX', prefix)) process.kill(p.pid, 'SIGKILL');
    await live?.stop();
    await bus?.close();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix.toUpperCase()) || stream.config.name.startsWith(`KV_${prefix}-`))
        await jsm.streams.delete(stream.config.name);
    }
    await nc.close();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('SIGTERM to npm while a file is in flight: every service stops cleanly', async () => {
    await startRunning();
    await inFlight(0);
    // npm dies of the SIGTERM at once (it forwards it to the script's shell only); the runner sees its
    // parent go and stops in order all the same.
    await stopRun(() => process.kill(run!.npm.pid!, 'SIGTERM'), [{ code: null, signal: 'SIGTERM' }]);
  });

  it("Ctrl-C (SIGINT to npm's whole process group) while a file is in flight: every service stops cleanly", async () => {
    // One more file, so this run has work of its own; a grace period shorter than a job makes the stages
    // abort theirs and hand the messages back rather than finish them.
    copyFileSync(RECORDINGS.sugarPlum, path.join(music, '03 Sugar Plum.ogg'));
    const before = seen.length;
    await startRunning({ SHUTDOWN_GRACE_MS: '200' });
    await inFlight(before);
    // npm exits as its script's shell did: dash ends itself with the SIGINT once the runner has exited; a shell
    // that execs the runner leaves npm its exit code.
    await stopRun(
      () => process.kill(-run!.npm.pid!, 'SIGINT'),
      [
        { code: null, signal: 'SIGINT' },
        { code: 0, signal: null },
      ],
    );
  });

  it('started again on the same data folder: every file completes, and no failure was ever recorded', async () => {
    // With bash as the script shell (as on macOS) the shell execs the runner, so Ctrl-C reaches it twice: from
    // the terminal and forwarded by npm. That is still one orderly stop.
    await startRunning({ npm_config_script_shell: 'bash' });
    const done = (d: FileDetail) =>
      ['metadata', 'fingerprint', 'analysis'].every((s) => d.stages.find((v) => v.stage === s)?.status === 'done') &&
      ['done', 'skipped'].includes(d.stages.find((v) => v.stage === 'proposer')!.status);
    const details = await waitUntil('every file through the chain', async () => {
      const { items } = await api<{ items: FileItem[] }>('/api/v1/files?limit=100');
      if (items.length !== 3) return undefined;
      const all = await Promise.all(items.map((f) => api<FileDetail>(`/api/v1/files/${f.id}`)));
      return all.every(done) ? all : undefined;
    });
    for (const d of details) {
      expect({ path: d.file.path, failed: d.stages.filter((s) => s.status === 'failed') }).toEqual({
        path: d.file.path,
        failed: [],
      });
      expect(d.history.filter((h) => /fail/i.test(h.event) || /fail/i.test(JSON.stringify(h.detail ?? {})))).toEqual(
        [],
      );
    }
    expect(seen.filter((m) => /\.failed$/.test(m.subject)).map((m) => [m.subject, m.payload])).toEqual([]);
    const problems = await api<{ items: FileItem[] }>('/api/v1/files?problems=true');
    expect(problems.items.map((f) => f.path)).toEqual([]);
    await stopRun(() => process.kill(-run!.npm.pid!, 'SIGINT'), [{ code: 0, signal: null }]);
  });
});
