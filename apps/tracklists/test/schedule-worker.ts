/**
 * One "replica" for the shared-schedule test: runs the real client against the fake site with the real
 * PostgreSQL schedule and a virtual clock, and prints the slots it was given (JSON on stdout).
 *   SITE_ORIGIN DATABASE_URL START_MS COUNT
 */
import { createDataSource } from '@crateflow/persistence';
import { PostgresRequestSchedule, type RequestSchedule } from '../src/repositories/host-schedule.repository';
import { VirtualClock } from '../src/site/clock';
import { TracklistsSiteClient } from '../src/site/tracklists-site.client';

async function main(): Promise<void> {
  const [origin, url, startMs, count] = process.argv.slice(2);
  const db = createDataSource({ url, applicationName: 'crateflow-schedule-worker', poolSize: 2 });
  await db.initialize();
  const real = new PostgresRequestSchedule(db);
  const slots: number[] = [];
  const recording: RequestSchedule = {
    reserve: async (host, now, spacing) => {
      const slot = await real.reserve(host, now, spacing);
      slots.push(slot);
      return slot;
    },
    refused: (...a) => real.refused(...a),
    answered: (h) => real.answered(h),
  };
  const clock = new VirtualClock(Number(startMs));
  const client = new TracklistsSiteClient(
    {
      baseUrl: origin,
      allowedHosts: ['127.0.0.1'],
      userAgent: 'Crateflow-test',
      minSpacingMs: 8000,
      maxSpacingMs: 12000,
      backoffBaseMs: 60_000,
      backoffMaxMs: 3600_000,
      timeoutMs: 5000,
      maxRedirects: 3,
    },
    recording,
    clock,
  );
  for (let i = 0; i < Number(count); i++) {
    const r = await client.search(`worker ${process.pid} ${i}`);
    if (r.kind !== 'rows') throw new Error(`search failed: ${JSON.stringify(r)}`);
  }
  await db.destroy();
  process.stdout.write(JSON.stringify({ slots, sleeps: clock.sleeps }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
