import type { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { printable, table } from '../output';

interface ProposalView {
  id: string;
  status: string;
  confidence: number;
  band: string;
  reason: string;
  current: { path: string };
  proposed: { folder: string | null; name: string; path: string };
  collision: { kind: string; path: string } | null;
  invalidReason: string | null;
  version: number;
  facts?: Record<string, unknown>;
}
interface PreviewNode {
  name: string;
  files: number;
  children: PreviewNode[];
}

const etag = (p: ProposalView) => `"${p.id}.${p.version}"`;

function row(p: ProposalView): string[] {
  return [
    p.id, // whole: `review show`, `approve` and the API take it as printed
    p.status,
    p.confidence.toFixed(2),
    printable(p.current.path),
    printable(p.proposed.path) + (p.collision ? `  [collides: ${printable(p.collision.path)}]` : ''),
  ];
}

/** `crateflow review …`: list, show, approve, reject, edit, undo, bulk decisions and the preview tree. */
export function register(program: Command, ctx: CliContext): void {
  const review = program.command('review').description('review proposals: nothing moves until an approved plan runs');

  review
    .command('list')
    .description('proposals, filtered and one page at a time')
    .option('--status <status>', 'pending, approved, rejected, invalid or superseded')
    .option('--band <band>', 'confidence band: high, medium or low')
    .option('--collisions', 'only proposals that collide')
    .option('--search <text>', 'text in the current path or the proposed name')
    .option('--sort <sort>', 'created, confidence or path', 'created')
    .option('--limit <n>', 'proposals per page', '50')
    .option('--cursor <cursor>', 'the next page (printed at the end of a page)')
    .action(
      async (o: {
        status?: string;
        band?: string;
        collisions?: boolean;
        search?: string;
        sort: string;
        limit: string;
        cursor?: string;
      }) => {
        const page = await ctx.api().request<{ items: ProposalView[]; nextCursor: string | null }>('proposals', {
          query: {
            status: o.status,
            band: o.band,
            collision: o.collisions ? 'true' : undefined,
            q: o.search,
            sort: o.sort,
            limit: o.limit,
            cursor: o.cursor,
          },
        });
        ctx
          .out()
          .result(page, () => [
            ...table(['Id', 'Status', 'Conf', 'Now', 'Proposed'], page.items.map(row), [2]),
            page.nextCursor ? `\nMore: crateflow review list --cursor ${page.nextCursor}` : '',
          ]);
      },
    );

  review
    .command('show <id>')
    .description('one proposal with its reason, facts and what it was made from')
    .action(async (id: string) => {
      const p = await ctx.api().request<ProposalView & { context: unknown }>(`proposals/${id}`);
      ctx
        .out()
        .result(p, () => [
          `${printable(p.current.path)}`,
          `  → ${printable(p.proposed.path)}`,
          `status ${p.status}, confidence ${p.confidence.toFixed(2)} (${p.band})`,
          `why: ${printable(p.reason)}`,
          ...(p.collision ? [`collides with ${printable(p.collision.path)} (${p.collision.kind})`] : []),
          ...(p.invalidReason ? [`invalid: ${printable(p.invalidReason)}`] : []),
          `facts: ${printable(JSON.stringify(p.facts ?? {}))}`,
        ]);
    });

  /** GET, then change with the version just read (If-Match): a concurrent change is refused, not overwritten. */
  const change = async (id: string, path: string, method: string, body?: unknown) => {
    const api = ctx.api();
    const current = await api.request<ProposalView>(`proposals/${id}`);
    return api.request<ProposalView>(`proposals/${current.id}${path}`, {
      method,
      body,
      headers: { 'if-match': etag(current) },
    });
  };
  const decideMany = (decision: 'approved' | 'rejected') => async (ids: string[]) => {
    const results: ProposalView[] = [];
    for (const id of ids) results.push(await change(id, '/decision', 'PUT', { decision }));
    ctx
      .out()
      .result(results, () =>
        results.map((p) => `${decision}: ${printable(p.current.path)} → ${printable(p.proposed.path)}`),
      );
  };
  review
    .command('approve <ids...>')
    .description('approve proposals (a collision blocks approval)')
    .action(decideMany('approved'));
  review.command('reject <ids...>').description('reject proposals').action(decideMany('rejected'));

  review
    .command('edit <id>')
    .description('change the proposed name or folder (validated; the extension is kept)')
    .option('--name <name>', 'the new file name')
    .option('--folder <folder>', 'the new folder, relative to the output folder')
    .option('--stay', 'keep the file in its folder')
    .action(async (id: string, o: { name?: string; folder?: string; stay?: boolean }) => {
      if (!o.name && o.folder === undefined && !o.stay)
        throw new CliError('give --name, --folder or --stay', ExitCode.usage);
      const body: Record<string, unknown> = {};
      if (o.name) body.name = o.name;
      if (o.stay) body.folder = null;
      else if (o.folder !== undefined) body.folder = o.folder;
      const p = await change(id, '', 'PATCH', body);
      ctx.out().result(p, () => `edited: ${printable(p.current.path)} → ${printable(p.proposed.path)} (pending)`);
    });

  review
    .command('undo <id>')
    .description('undo the last review action on a proposal')
    .action(async (id: string) => {
      const p = await change(id, '/undo', 'POST');
      ctx.out().result(p, () => `undone: ${printable(p.current.path)} is ${p.status} again`);
    });

  review
    .command('bulk <decision>')
    .description(
      'approve or reject every pending proposal (approval: only non-colliding ones at or above --min-confidence)',
    )
    .option('--min-confidence <c>', 'lowest confidence to approve', '0.8')
    .action(async (decision: string, o: { minConfidence: string }) => {
      const d = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : null;
      if (!d) throw new CliError('the decision is approve or reject', ExitCode.usage);
      const r = await ctx
        .api()
        .request<{ applied: string[]; skipped: { id: string; reason: string }[] }>('proposals/decisions', {
          method: 'POST',
          body: { decision: d, minConfidence: Number(o.minConfidence) },
        });
      ctx
        .out()
        .result(r, () => [
          `${d}: ${r.applied.length}; skipped: ${r.skipped.length}`,
          ...r.skipped.slice(0, 20).map((s) => `  ${s.id}: ${printable(s.reason)}`),
        ]);
    });

  review
    .command('preview')
    .description('the folder tree the approved proposals would produce, with file counts')
    .option('--pending', 'the tree of the pending proposals instead')
    .action(async (o: { pending?: boolean }) => {
      const p = await ctx.api().request<{ files: number; stay: number; tree: PreviewNode[] }>('proposals/preview', {
        query: { status: o.pending ? 'pending' : 'approved' },
      });
      const lines: string[] = [`${p.files} files (${p.stay} keep their folder)`];
      const walk = (nodes: PreviewNode[], indent: string) => {
        for (const n of nodes) {
          lines.push(`${indent}${printable(n.name)}/  (${n.files})`);
          walk(n.children, `${indent}  `);
        }
      };
      walk(p.tree, '');
      ctx.out().result(p, () => lines);
    });
}
