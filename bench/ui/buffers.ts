import { Client } from 'pg';
import { ProposalReviewRepository } from '../../apps/gateway/src/proposals/proposal-review.repository';
import { FileReadRepository } from '../../apps/gateway/src/repositories/file.repository';

/**
 * The shared buffers (hit + read) each of the heavier lists reads for its first page, from EXPLAIN (ANALYZE,
 * BUFFERS) of the very statements the gateway's repositories run (with their SET LOCALs), against a library
 * kept by run.ts (BENCH_KEEP=1). Unlike a time, the count does not depend on the machine's load.
 *
 *   BENCH_DATABASE_URL=… node -r @swc-node/register bench/ui/buffers.ts [case,case…]
 *   BENCH_PLANS=1 … also prints each statement's plan.
 */
async function main(): Promise<void> {
  const db = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
  await db.connect();
  let buffers = 0;
  let plans: string[] = [];
  const run = async (sql: string, params?: unknown[]) => {
    if (/^\s*SET /i.test(sql)) return (await db.query(sql, params)).rows;
    const explained = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
    const plan = explained.rows[0]['QUERY PLAN'][0].Plan;
    buffers += plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
    if (process.env.BENCH_PLANS) {
      const text = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      plans.push(text.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
    }
    return (await db.query(sql, params)).rows;
  };
  // Each list runs in a transaction that is rolled back: EXPLAIN ANALYZE executes the statements.
  const dataSource = {
    query: run,
    transaction: async <T>(work: (m: { query: typeof run }) => Promise<T>) => {
      await db.query('BEGIN');
      try {
        return await work({ query: run });
      } finally {
        await db.query('ROLLBACK');
      }
    },
  } as never;
  const files = new FileReadRepository(dataSource);
  const proposals = new ProposalReviewRepository(dataSource);
  const cases: Record<string, () => Promise<unknown[]>> = {
    'stage failed': () => files.list({ stage: { stage: 'analysis', status: 'failed' } }, undefined, 101),
    problems: () => files.list({ problems: true }, undefined, 101),
    'bpm range': () => files.list({ bpm: { min: 124, max: 126 } }, undefined, 101),
    camelot: () => files.list({ camelot: ['7A', '8A', '9A', '8B'] }, undefined, 101),
    'bpm+key+kind': () => files.list({ kind: 'music', bpm: { min: 120, max: 130 }, camelot: ['5A'] }, undefined, 101),
    duplicates: () => files.list({ duplicates: true }, undefined, 101),
    'no duplicates': () => files.list({ duplicates: false }, undefined, 101),
    collision: () => proposals.list({ collision: true, sort: 'created', order: 'asc', limit: 51 }),
    'no collision': () => proposals.list({ collision: false, sort: 'created', order: 'asc', limit: 51 }),
  };
  const only = process.argv[2]?.split(',');
  for (const [name, list] of Object.entries(cases)) {
    if (only && !only.includes(name)) continue;
    await list(); // once to warm the cache, then counted
    buffers = 0;
    plans = [];
    const started = Date.now();
    const rows = await list();
    console.log(
      `${name.padEnd(14)} ${String(buffers).padStart(7)} buffers  ${rows.length} rows  ${Date.now() - started} ms with EXPLAIN`,
    );
    if (plans.length) console.log(plans.join('\n---\n'));
  }
  await db.end();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
