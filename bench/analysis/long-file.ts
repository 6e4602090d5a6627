/**
 * Analyses one long file in a fresh process and prints a JSON line with memory over time, so the peak RSS
 * belongs to the analysis alone (not to the synthesis of the test set). Run by bench/analysis/run.ts.
 *
 *   node -r @swc-node/register bench/analysis/long-file.ts <file>
 */
import { EssentiaPool, analyzeFile } from '@crateflow/analysis';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: long-file.ts <file>');
  const pool = new EssentiaPool({ size: 1 });
  const samples: { atSec: number; rssMb: number }[] = [];
  let analysed = 0;
  const started = performance.now();
  const sample = () => samples.push({ atSec: analysed, rssMb: Math.round(process.memoryUsage.rss() / 1048576) });
  const timer = setInterval(sample, 500);
  const result = await analyzeFile(file, {
    pool,
    onProgress: (p) => {
      analysed = p.analysedSec;
    },
  });
  clearInterval(timer);
  sample();
  const wallSec = (performance.now() - started) / 1000;
  await pool.close();
  // Memory at 10 %, 25 %, 50 %, 75 % and 100 % of the file, to show it stays flat.
  const at = (f: number) => samples.find((s) => s.atSec >= f * result.analysedSec) ?? samples[samples.length - 1];
  process.stdout.write(
    JSON.stringify({
      analysedSec: result.analysedSec,
      wallSec,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssCurve: [0.1, 0.25, 0.5, 0.75, 1].map((f) => ({ fraction: f, rssMb: at(f).rssMb })),
      pool: pool.stats(),
      kind: result.kind,
      bpm: result.bpm,
      mix: result.mix,
      timeline: result.timeline.map((t) => ({
        startSec: t.startSec,
        endSec: t.endSec,
        bpm: t.bpm,
        camelot: t.key?.camelot ?? null,
      })),
      warnings: result.warnings,
    }) + '\n',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
