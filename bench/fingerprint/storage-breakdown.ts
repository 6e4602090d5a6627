/**
 * Where the bytes of a small fingerprint index go (issue 14, point 1): the library of index-scale.ts (the
 * real recordings + synthetic tracks) indexed the way the service does it — tracks stored one by one with
 * a merge every --merge-every tracks — then pg_total_relation_size per relation (heap, indexes, TOAST, free
 * space and visibility maps apart), dead tuples, rows and postings per packed row, before and after VACUUM.
 * With --db=NAME it only prints the breakdown of an existing database (e.g. the generated index of
 * index-scale.ts --generated-db=NAME), for the same figures at another size.
 *
 *   node -r @swc-node/register bench/fingerprint/storage-breakdown.ts [--synth-hours=2] [--merge-every=8]
 *   node -r @swc-node/register bench/fingerprint/storage-breakdown.ts --db=cf_fpscale_1000h
 */
import type { Pool } from 'pg';
import {
  fingerprintFile,
  fingerprintPcm,
  indexTrack,
  PostgresFingerprintIndex,
  type TrackFingerprint,
} from '@crateflow/fingerprint';
import { LIBRARY } from '../../libs/fingerprint/test/support/fixtures';
import { createScratchDatabase, openNamedDatabase } from '../../libs/fingerprint/test/support/pg';
import { synthChunks } from '../../libs/fingerprint/test/support/synth';
import { loadAverage } from './process-cpu';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SYNTH_HOURS = arg('synth-hours', 2);
const MERGE_EVERY = arg('merge-every', 8);
const DB = args.find((a) => a.startsWith('--db='))?.split('=')[1];
const kb = (b: number) => `${(b / 1024).toFixed(0)} kB`;

interface Relation {
  table: string;
  heap: number;
  fsmVm: number;
  toast: number;
  indexes: number;
  total: number;
  rows: number;
  dead: number;
}

/** Every fingerprint table (both slots), its forks, indexes and TOAST, and its live and dead tuples. */
export async function breakdown(pool: Pool): Promise<Relation[]> {
  const { rows } = await pool.query(
    `SELECT c.relname AS table,
            pg_relation_size(c.oid, 'main')::float8 AS heap,
            (pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm'))::float8 AS fsm_vm,
            CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END::float8 AS toast,
            pg_indexes_size(c.oid)::float8 AS indexes,
            pg_total_relation_size(c.oid)::float8 AS total,
            coalesce(s.n_live_tup, 0)::float8 AS live, coalesce(s.n_dead_tup, 0)::float8 AS dead
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relkind = 'r' AND c.relname LIKE 'fingerprint%' AND c.relnamespace = 'public'::regnamespace
      ORDER BY total DESC`,
  );
  return rows.map((r) => ({
    table: r.table,
    heap: r.heap,
    fsmVm: r.fsm_vm,
    toast: r.toast,
    indexes: r.indexes,
    total: r.total,
    rows: r.live,
    dead: r.dead,
  }));
}

export function printBreakdown(label: string, rels: Relation[], hours: number, postings: number): void {
  const total = rels.reduce((s, r) => s + r.total, 0);
  console.log(
    `\n${label}: ${(total / 1e6).toFixed(2)} MB = ${(total / 1e6 / hours).toFixed(2)} MB per hour, ${(total / postings).toFixed(1)} B/posting (${hours.toFixed(2)} h, ${postings.toLocaleString('en')} postings; load ${loadAverage()})`,
  );
  console.log('  relation                              total      heap   fsm+vm    toast  indexes      rows    dead');
  for (const r of rels) {
    if (r.total === 0) continue;
    console.log(
      `  ${r.table.padEnd(34)} ${kb(r.total).padStart(9)} ${kb(r.heap).padStart(9)} ${kb(r.fsmVm).padStart(8)} ${kb(r.toast).padStart(8)} ${kb(r.indexes).padStart(8)} ${String(r.rows).padStart(9)} ${String(r.dead).padStart(7)}`,
    );
  }
  const empty = rels.filter((r) => r.total > 0 && r.rows === 0);
  const fixed = empty.reduce((s, r) => s + r.total, 0);
  console.log(
    `  fixed cost of empty tables (their indexes' metapages, maps): ${kb(fixed)} = ${(fixed / 1e6 / hours).toFixed(3)} MB/h at this size`,
  );
}

async function packedRowStats(pool: Pool): Promise<string> {
  const out: string[] = [];
  for (const s of ['landmark', 'triplet']) {
    const { rows } = await pool.query(
      `SELECT count(*)::float8 AS n, avg(octet_length(postings))::float8 AS payload,
              avg(pg_column_size(postings))::float8 AS stored FROM fingerprint_${s}_packed`,
    );
    const { rows: p } = await pool.query(
      `SELECT coalesce(sum(postings), 0)::float8 AS p FROM fingerprint_packed_tracks WHERE strategy = $1`,
      [s],
    );
    const n = rows[0].n;
    out.push(
      `${s}: ${n.toLocaleString('en')} rows, ${(p[0].p / Math.max(1, n)).toFixed(2)} postings/row, payload ${(rows[0].payload ?? 0).toFixed(1)} B/row (stored ${(rows[0].stored ?? 0).toFixed(1)})`,
    );
  }
  return out.join('; ');
}

async function main(): Promise<void> {
  console.log(`load average at start: ${loadAverage()}`);
  if (DB) {
    const { db, created } = await openNamedDatabase(DB);
    try {
      if (created) throw new Error(`${DB} did not exist`);
      const { rows } = await db.pool.query(
        `SELECT (SELECT coalesce(sum(duration_sec), 0) FROM fingerprint_tracks)::float8 AS sec,
                (SELECT coalesce(sum(postings), 0) FROM fingerprint_packed_tracks)::float8 AS p`,
      );
      printBreakdown(DB, await breakdown(db.pool), rows[0].sec / 3600, rows[0].p);
      console.log(`  ${await packedRowStats(db.pool)}`);
    } finally {
      await db.pool.end();
    }
    return;
  }
  const fps: [number, TrackFingerprint][] = [];
  for (const t of LIBRARY) fps.push([t.id, await fingerprintFile(t.file)]);
  const synthTracks = Math.round((SYNTH_HOURS * 3600) / 600);
  for (let i = 0; i < synthTracks; i++) fps.push([1000 + i, await fingerprintPcm(synthChunks(1000 + i, 600, 20))]);
  const hours = fps.reduce((s, [, fp]) => s + fp.durationSec, 0) / 3600;
  const postings = fps.reduce((s, [, fp]) => s + fp.landmark.length + fp.triplet.length, 0);
  const db = await createScratchDatabase('fpstorage');
  try {
    await PostgresFingerprintIndex.createSchema(db.pool);
    const ix = new PostgresFingerprintIndex(db.pool);
    let merges = 0;
    for (const [k, [id, fp]] of fps.entries()) {
      await indexTrack(ix, id, fp);
      if ((k + 1) % MERGE_EVERY === 0) {
        await ix.mergePending();
        merges++;
      }
    }
    await ix.mergePending();
    merges++;
    await db.pool.query('ANALYZE');
    // pg_stat counters are updated asynchronously; give the stats collector a moment.
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`${fps.length} tracks indexed one by one, merged every ${MERGE_EVERY} tracks (${merges} merges)`);
    printBreakdown('as the service leaves it (no VACUUM yet)', await breakdown(db.pool), hours, postings);
    console.log(`  ${await packedRowStats(db.pool)}`);
    await db.pool.query('VACUUM');
    await new Promise((r) => setTimeout(r, 1500));
    printBreakdown('after VACUUM (what autovacuum does)', await breakdown(db.pool), hours, postings);
    await db.pool.query('VACUUM FULL');
    await new Promise((r) => setTimeout(r, 1500));
    printBreakdown('after VACUUM FULL (nothing but live data)', await breakdown(db.pool), hours, postings);
  } finally {
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
