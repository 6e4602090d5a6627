import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Subjects } from '@crateflow/contracts';
import { Messaging } from '@crateflow/messaging';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { gatewayService } from '../src/main';
import { deleteTestStreams, NATS_URL } from '../../../test/support/service-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface PageGlobals {
  document: {
    getElementById(id: string): { textContent: string | null; getAttribute(n: string): string | null } | null;
  };
}

function waitForText(page: Page, id: string, want: string) {
  return page.waitForFunction(
    (args) =>
      ((globalThis as unknown as PageGlobals).document.getElementById(args.id)?.textContent ?? '').includes(args.want),
    { id, want },
  );
}

/** The dashboard shows an index upgrade's progress, live, and the new generation after the flip (chromium). */
describe('fingerprint index upgrade on the dashboard (browser)', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let db: TestDatabase;
  let service: RunningService;
  let bus: Messaging;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('fpindexui');
    await db.dataSource.query(
      `INSERT INTO fingerprint_tracks (external_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT gen_random_uuid(), 200, 100, 80, 1, now() FROM generate_series(1, 5)`,
    );
    await db.dataSource.query(
      `INSERT INTO fingerprint_index_generations (generation, slot, algorithm_version, layout_version, state, total_tracks)
       VALUES (2, 'b', 2, 1, 'building', 5)`,
    );
    await db.dataSource.query(
      `INSERT INTO fingerprint_b_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT track_id, 200, 90, 70, 2, now() FROM fingerprint_tracks ORDER BY track_id LIMIT 3`,
    );
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'warn',
    });
    bus = await Messaging.connect({ url: NATS_URL, prefix, name: 'fpindex-ui-test' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await bus?.close();
    await service?.stop();
    await db?.drop();
    await deleteTestStreams(prefix);
  });

  it('shows done of total, follows index.rebuild.progressed, and the active generation after the flip', async () => {
    await page.goto(`${service.url}/`);
    await waitForText(page, 'index-status', 'Upgrading the fingerprint index to algorithm 2, layout 1: 3 of 5 tracks');
    await waitForText(page, 'index-status', 'Look-ups answer from generation 1 until the new one is complete.');
    expect(await page.locator('#index-progress').getAttribute('value')).toBe('3');

    await waitForText(page, 'live-text', 'live');
    await bus.publish(
      Subjects.indexRebuildProgressed,
      {
        generation: 2,
        state: 'building',
        algorithmVersion: 2,
        layoutVersion: 1,
        done: 4,
        failed: 0,
        total: 5,
        ratePerMin: 12,
        etaSec: 5,
      },
      { msgId: 'progress-4' },
    );
    await waitForText(page, 'index-status', '4 of 5 tracks · 12 tracks/min · about 5 s left');
    expect(await page.locator('#index-progress').getAttribute('value')).toBe('4');

    // The flip: the dashboard reloads the status and names the new active generation.
    await db.dataSource.query(
      `UPDATE fingerprint_index_generations SET state = 'retired', retired_at = now() WHERE generation = 1`,
    );
    await db.dataSource.query(
      `INSERT INTO fingerprint_b_tracks (track_id, duration_sec, landmark_postings, triplet_postings, algorithm_version, indexed_at)
       SELECT track_id, 200, 90, 70, 2, now() FROM fingerprint_tracks ORDER BY track_id OFFSET 3`,
    );
    await db.dataSource.query(
      `UPDATE fingerprint_index_generations SET state = 'active', activated_at = now() WHERE generation = 2`,
    );
    await bus.publish(
      Subjects.indexRebuildProgressed,
      {
        generation: 2,
        state: 'active',
        algorithmVersion: 2,
        layoutVersion: 1,
        done: 5,
        failed: 0,
        total: 5,
        ratePerMin: 12,
        etaSec: 0,
      },
      { msgId: 'progress-active' },
    );
    await waitForText(page, 'index-status', 'Fingerprint index: generation 2 (algorithm 2, layout 1), 5 tracks.');
    expect(await page.locator('#index-progress').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 180_000);
});
