import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { table } from '../output';

export interface PlanItem {
  role: string;
  sourcePath: string;
  destinationPath: string | null;
  size: number;
  status: 'ready' | 'blocked' | 'skipped';
  reason: string | null;
  sameFilesystem: boolean | null;
}

export interface Plan {
  id: string;
  mode: string;
  status: string;
  totals: Record<string, number>;
  items: PlanItem[];
}

const MODES = ['move', 'copy', 'hardlink'];

/** Asks for a plan and waits until the executor has stored it. */
export async function makePlan(
  ctx: CliContext,
  opts: { mode: string; keepEmptyFolders?: boolean; proposal?: string[] },
): Promise<Plan> {
  if (!MODES.includes(opts.mode)) throw new CliError(`--mode must be one of ${MODES.join(', ')}`, ExitCode.usage);
  const created = await ctx.api().request<Plan | { id: string; status: string }>('executions/plans', {
    method: 'POST',
    body: {
      mode: opts.mode,
      removeEmptyFolders: !opts.keepEmptyFolders,
      ...(opts.proposal?.length ? { proposalIds: opts.proposal } : {}),
    },
  });
  if ('items' in created) return created;
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      return await ctx.api().request<Plan>(`executions/plans/${created.id}`);
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== ExitCode.failure) throw e;
    }
  }
  throw new CliError(`the plan ${created.id} was not ready after 10 minutes`, ExitCode.failure);
}

export function renderPlan(plan: Plan): string[] {
  const t = plan.totals;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const lines = [
    `Plan ${plan.id} (${plan.mode}): ${t.files ?? 0} files to ${plan.mode} (${t.companions ?? 0} companions), ${mib(t.bytes ?? 0)}; ` +
      `${t.sameFilesystem ?? 0} on the same filesystem, ${t.crossFilesystem ?? 0} across; ${t.blocked ?? 0} blocked, ${t.skipped ?? 0} skipped`,
    '',
  ];
  const ready = plan.items.filter((i) => i.status === 'ready');
  lines.push(
    ...table(
      ['', 'From', 'To'],
      ready.slice(0, 200).map((i) => [i.role === 'companion' ? '  +' : '', i.sourcePath, i.destinationPath ?? '']),
    ),
  );
  if (ready.length > 200) lines.push(`… and ${ready.length - 200} more (use --json for all)`);
  const held = plan.items.filter((i) => i.status !== 'ready');
  if (held.length) {
    lines.push('', 'Blocked or skipped:');
    for (const i of held.slice(0, 200)) lines.push(`  [${i.status}] ${i.sourcePath}: ${i.reason ?? ''}`);
  }
  lines.push('', `Run it with: crateflow execute ${plan.id}`);
  return lines;
}

/** `crateflow plan`: a dry run of the approved proposals: every move with its final path, blocked items, totals. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'plan (dry run) the approved proposals: final paths, blocked items with reasons, totals; nothing is changed',
    )
    .option('--mode <mode>', 'move (in place), copy or hardlink (into the output root)', 'move')
    .option('--keep-empty-folders', 'do not remove source folders the execution empties')
    .option('--proposal <id...>', 'only these approved proposals')
    .action(async (opts: { mode: string; keepEmptyFolders?: boolean; proposal?: string[] }) => {
      const plan = await makePlan(ctx, opts);
      ctx.out().result(plan, () => renderPlan(plan));
    });
}
