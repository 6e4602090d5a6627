import type { Command } from 'commander';
import type { CliContext } from '../context';
import { table } from '../output';

interface PipelineStats {
  generatedAt: string;
  files: { total: number; missing: number; copies?: number; byState: Record<string, number> };
  stages: Record<string, Record<string, number>>;
  failures: { fileId: string; path: string; stage: string; reason: string | null; attempts: number; at: string }[];
  throughput: { windowMinutes: number; finished: number; perMinute: number }[];
}

/** `crateflow status`: files per state, each stage's statuses, throughput and the latest failures. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('pipeline statistics: files per state and per stage status, throughput, recent failures')
    .action(async () => {
      const stats = await ctx.api().request<PipelineStats>('pipeline/stats');
      ctx.out().result(stats, () => renderStatus(stats));
    });
}

export function renderStatus(stats: PipelineStats): string[] {
  const fmt = (n: number) => n.toLocaleString('en');
  const copies = stats.files.copies ? `, ${fmt(stats.files.copies)} copies in the output folder` : '';
  const lines = [`Files: ${fmt(stats.files.total)} (${fmt(stats.files.missing)} missing from disk${copies})`, ''];
  lines.push(
    ...table(
      ['State', 'Files'],
      Object.entries(stats.files.byState).map(([state, n]) => [state, fmt(n)]),
      [1],
    ),
    '',
  );
  const statuses = Object.keys(Object.values(stats.stages)[0] ?? {});
  lines.push(
    ...table(
      ['Stage', ...statuses],
      Object.entries(stats.stages).map(([stage, counts]) => [stage, ...statuses.map((s) => fmt(counts[s] ?? 0))]),
      statuses.map((_, i) => i + 1),
    ),
    '',
    `Throughput: ${stats.throughput.map((t) => `${fmt(t.finished)} in ${t.windowMinutes} min`).join(', ')}`,
  );
  if (stats.failures.length) {
    lines.push('', 'Recent failures:');
    for (const f of stats.failures.slice(0, 10))
      lines.push(`  [${f.stage}] ${f.path}: ${f.reason ?? 'no reason recorded'}`);
  }
  return lines;
}
