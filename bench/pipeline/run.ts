/**
 * bench/pipeline: files per second through the whole pipeline, scan → proposal, with one and with two
 * replicas of each audio stage (metadata, fingerprint, analysis), and where the time goes per stage.
 *
 * Generates BENCH_TRACKS short tracks (default 1,000 of BENCH_TRACK_SEC = 6 s, made once by one ffmpeg
 * process and kept in bench/.work/pipeline), then for each replica count in BENCH_REPLICAS (default "1,2")
 * starts the whole system as separate processes on a fresh database and NATS prefix (like the e2e tests),
 * requests one scan through the API and waits until every file has its proposer outcome. The one-replica
 * run is the reference: the speed-up printed is files/s with N replicas divided by files/s with one, in the
 * same run on the same files.
 *
 * Per stage it prints: busy time (the sum of message handling seconds over all replicas, from their
 * /metrics), the wall-clock span from the stage's first to its last recorded outcome, and busy/span (about
 * how many handlers were working on average). On a machine shared with other work, figures move a lot
 * from run to run; the ratio is what to compare.
 *
 *   node -r @swc-node/register bench/pipeline/run.ts
 *   BENCH_TRACKS=100 node -r @swc-node/register bench/pipeline/run.ts
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import type { ServiceName } from '@crateflow/contracts';
import { TestSystem } from '../../test/e2e/system';
import { generateTracks } from '../../test/support/generated-tracks';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 1000);
const TRACK_SEC = Number(process.env.BENCH_TRACK_SEC ?? 6);
const REPLICAS = (process.env.BENCH_REPLICAS ?? '1,2').split(',').map(Number);
const AUDIO_STAGES: ServiceName[] = ['metadata', 'fingerprint', 'analysis'];
const OTHER_SERVICES: ServiceName[] = ['ingest', 'proposer', 'executor', 'tracklists'];
const STAGES = ['ingest', 'metadata', 'fingerprint', 'analysis', 'proposer'];

interface StageTiming {
  stage: string;
  busySec: number;
  spanSec: number;
  messages: number;
}
interface RunResult {
  replicas: number;
  files: number;
  seconds: number;
  stages: StageTiming[];
}

/** Sums `<metric>{...stage="x"...} value` samples of an exposition, by stage. */
function sumByStage(exposition: string, metric: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const stage = /stage="([^"]+)"/.exec(line)?.[1];
    if (!stage) continue;
    totals.set(stage, (totals.get(stage) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return totals;
}

async function runOnce(library: string, replicas: number): Promise<RunResult> {
  const system = new TestSystem({
    CRATEFLOW_LIBRARY_ROOTS: library,
    LOG_LEVEL: 'error',
  });
  await system.init();
  try {
    // One at a time: seven services compiling at once on a busy 2-core machine can miss the health deadline.
    await system.start('gateway');
    for (const service of [...OTHER_SERVICES, ...AUDIO_STAGES]) await system.start(service);
    for (let r = 2; r <= replicas; r++) for (const service of AUDIO_STAGES) await system.startReplica(service);

    const started = Date.now();
    const scan = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: library });
    if (scan.status !== 202) throw new Error(`scan refused: ${scan.status} ${JSON.stringify(scan.body)}`);
    let files = 0;
    await system.waitFor(
      'every file to reach its proposal',
      async () => {
        const [{ total, done }]: { total: number; done: number }[] = await system.dataSource.query(
          `SELECT (SELECT count(*)::int FROM files WHERE kind = 'music') AS total,
                  (SELECT count(*)::int FROM file_stage_statuses WHERE stage = 'proposer'
                     AND status NOT IN ('pending', 'running')) AS done`,
        );
        files = total;
        return total >= TRACKS && done >= total;
      },
      6 * 60 * 60 * 1000,
      1000,
    );
    const seconds = (Date.now() - started) / 1000;

    const busy = new Map<string, number>();
    const messages = new Map<string, number>();
    for (const running of system.processes.values()) {
      const text = await (await fetch(`${running.url}/metrics`)).text();
      for (const [stage, sec] of sumByStage(text, 'crateflow_message_handling_seconds_sum'))
        busy.set(stage, (busy.get(stage) ?? 0) + sec);
      for (const [stage, n] of sumByStage(text, 'crateflow_message_handling_seconds_count'))
        messages.set(stage, (messages.get(stage) ?? 0) + n);
    }
    const spans: { stage: string; span: number }[] = await system.dataSource.query(
      `SELECT stage, extract(epoch FROM max(updated_at) - min(updated_at))::float AS span
         FROM file_stage_statuses GROUP BY stage`,
    );
    const spanOf = new Map(spans.map((s) => [s.stage, s.span]));
    const stages = [...new Set([...STAGES, ...busy.keys()])].map((stage) => ({
      stage,
      busySec: busy.get(stage) ?? 0,
      spanSec: spanOf.get(stage) ?? 0,
      messages: messages.get(stage) ?? 0,
    }));
    return { replicas, files, seconds, stages };
  } finally {
    await system.teardown();
  }
}

async function main() {
  const work = path.resolve(__dirname, '..', '.work', 'pipeline', `tracks-${TRACKS}x${TRACK_SEC}s`);
  mkdirSync(work, { recursive: true });
  const t0 = Date.now();
  await generateTracks(work, TRACKS, { seconds: TRACK_SEC });
  process.stdout.write(
    `${TRACKS} tracks of ${TRACK_SEC} s ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${work})\n` +
      `machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (shared: other work moves these figures)\n\n`,
  );
  const results: RunResult[] = [];
  for (const replicas of REPLICAS) {
    const result = await runOnce(work, replicas);
    results.push(result);
    process.stdout.write(
      `${replicas} replica(s) of ${AUDIO_STAGES.join(', ')}: ${result.files} files in ${result.seconds.toFixed(1)} s = ` +
        `${(result.files / result.seconds).toFixed(2)} files/s (load ${loadavg()[0].toFixed(1)})\n`,
    );
    process.stdout.write('  stage        messages  busy s   span s   busy/span\n');
    for (const s of result.stages) {
      process.stdout.write(
        `  ${s.stage.padEnd(12)} ${String(s.messages).padStart(8)} ${s.busySec.toFixed(1).padStart(7)} ` +
          `${s.spanSec.toFixed(1).padStart(8)} ${(s.spanSec ? s.busySec / s.spanSec : 0).toFixed(2).padStart(10)}\n`,
      );
    }
  }
  const reference = results.find((r) => r.replicas === 1);
  if (reference) {
    for (const r of results.filter((x) => x !== reference)) {
      const speedup = r.files / r.seconds / (reference.files / reference.seconds);
      process.stdout.write(`\nspeed-up with ${r.replicas} replicas vs 1: ${speedup.toFixed(2)}×\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
