import type { Command } from 'commander';
import type { CliContext } from '../context';
import { printable } from '../output';

interface Group {
  key: string;
  kind: string;
  copies?: number;
  redundantBytes?: number;
  members: { fileId: string; path: string; size: number; proposedCanonical?: boolean; canonical?: boolean }[];
  [more: string]: unknown;
}

/** `crateflow duplicates`: groups of copies and other encodings, largest first. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('duplicates')
    .description('list duplicate groups (same bytes, or the same recording in other encodings), largest first')
    .option('--status <status>', 'unresolved or resolved')
    .option('--limit <n>', 'groups per page (1-100)', '20')
    .option('--cursor <cursor>', 'the next page')
    .action(async (options: { status?: string; limit: string; cursor?: string }) => {
      const page = await ctx
        .api()
        .request<{ items: Group[]; nextCursor: string | null }>('duplicates', { query: { ...options } });
      ctx.out().result(page, () => {
        if (!page.items.length) return 'No duplicates.';
        const lines: string[] = [];
        for (const g of page.items) {
          lines.push(`${g.key} (${g.members.length} files)`);
          for (const m of g.members) {
            const mark = m.canonical || m.proposedCanonical ? '*' : ' ';
            lines.push(`  ${mark} ${printable(m.path)}`);
          }
        }
        lines.push('', '* the copy to keep (proposed or chosen)');
        if (page.nextCursor) lines.push(`More: crateflow duplicates --cursor ${page.nextCursor}`);
        return lines;
      });
    });
}
