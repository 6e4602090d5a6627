/**
 * Analysis stage throughput with loudness measured in the decoding run (one read and decode of each file)
 * against the previous way (a second ffmpeg over the file for EBU R128), measured in the same run,
 * alternating, on the shared recordings. Wall time and CPU time (this process, its worker threads and its
 * ffmpeg children) per second of audio.
 *
 *   node -r @swc-node/register bench/analysis/one-pass.ts [--rounds=3]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { analyzeFile, EssentiaPool, type AnalyzeOptions } from '@crateflow/analysis';

// The shared recordings sit beside the checkout (../shared/audio), or beside the worktrees' parent.
const REAL_AUDIO = ['../../../shared/audio', '../../../../shared/audio']
  .map((p) => path.resolve(__dirname, p))
  .find((p) => existsSync(p))!;
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds of this process (all threads) and of its finished children (ffmpeg). */
function cpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

async function main(): Promise<void> {
  const files = readdirSync(REAL_AUDIO)
    .filter((f) => f.endsWith('.ogg'))
    .map((f) => path.join(REAL_AUDIO, f));
  const pool = new EssentiaPool({ size: 1 });
  const modes: [string, AnalyzeOptions['loudness']][] = [
    ['before: loudness in a second ffmpeg pass', 'separate-pass'],
    ['now: loudness in the decoding run     ', true],
  ];
  const totals = new Map<string, { wall: number; cpu: number; audio: number }>();
  try {
    await analyzeFile(files[0], { pool }); // warm-up: WASM compile, worker start
    for (let r = 0; r < rounds; r++) {
      for (const [name, loudness] of r % 2 ? [...modes].reverse() : modes) {
        const t = totals.get(name) ?? { wall: 0, cpu: 0, audio: 0 };
        for (const file of files) {
          const c0 = cpu();
          const w0 = performance.now();
          const result = await analyzeFile(file, { pool, loudness });
          t.wall += (performance.now() - w0) / 1000;
          t.cpu += cpu() - c0;
          t.audio += result.analysedSec;
          if (!result.loudness.measurable) throw new Error(`${file}: loudness not measured`);
        }
        totals.set(name, t);
      }
    }
  } finally {
    await pool.close();
  }
  console.log(
    `${files.length} files × ${rounds} rounds; load average ${readFileSync('/proc/loadavg', 'utf8').slice(0, 14)}`,
  );
  for (const [name, t] of totals) {
    console.log(
      `${name}: ${(t.audio / t.wall).toFixed(0)}× realtime wall, ${(t.audio / t.cpu).toFixed(0)}× realtime per CPU second`,
    );
  }
  const [before, now] = modes.map(([n]) => totals.get(n)!);
  console.log(
    `ratio now/before: wall ${(before.wall / now.wall).toFixed(2)}×, CPU ${(before.cpu / now.cpu).toFixed(2)}× (higher is better)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
