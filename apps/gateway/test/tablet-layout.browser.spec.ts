import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { refreshAnalysisFactsSql } from '@crateflow/persistence';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import { openBrowser, startTestGateway, type BrowserSession, type TestGateway } from './support/browser-gateway';

/** An iPad Air in portrait, the tablet a DJ props next to the decks. */
const TABLET = { width: 820, height: 1180 };

/** The few browser globals the page-side check uses (this workspace's TypeScript has no DOM types). */
interface Box {
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
}
interface PageGlobals {
  innerWidth: number;
  document: {
    documentElement: Box;
    getElementById(id: string): Box | null;
    querySelectorAll(selector: string): ArrayLike<Box>;
  };
}

/** How far the page and the main content reach past the viewport (0 when nothing overflows). */
function overflow(page: Page) {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const main = w.document.getElementById('main')!;
    return {
      page: w.document.documentElement.scrollWidth - w.innerWidth,
      main: main.scrollWidth - main.clientWidth,
      mainRight: main.getBoundingClientRect().right - w.innerWidth,
    };
  });
}

/**
 * Every page at a tablet viewport: the main content does not scroll sideways (wide tables scroll inside
 * their own box), and every section of the navigation can be seen and reached with a tap.
 */
describe('web UI on a tablet (browser)', () => {
  let gateway: TestGateway;
  let session: BrowserSession;
  let page: Page;
  const fileId = randomUUID();

  async function seed(db: TestDatabase): Promise<void> {
    // Long names, the kind that push a layout sideways.
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT CASE WHEN n = 1 THEN $1::uuid ELSE gen_random_uuid() END, '/music',
              '/music/Incoming/' || repeat('Very Long Artist Name ', 4) || '- ' || repeat('Extended Club Mix ', 3) || n || '.flac',
              convert_to(n::text, 'UTF8'), '\\x00', repeat('Very Long Artist Name ', 4) || n || '.flac', 'flac', 'music',
              40000000, 1700000000000, lpad(to_hex(n), 64, '0'), 'ANALYZED', $1::uuid, $1::uuid
         FROM generate_series(1, 30) n`,
      [fileId],
    );
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title, duration_sec)
       SELECT id, content_hash, 'read', repeat('Very Long Artist Name ', 4), repeat('Extended Club Mix ', 3), 431 FROM files`,
    );
    await db.dataSource.query(
      `INSERT INTO file_analysis (file_id, content_hash, analysis_version, status, bpm, camelot, key, energy)
       SELECT id, content_hash, 1, 'done', 124.5, '8A', 'A minor', 6 FROM files`,
    );
    await db.dataSource.query(refreshAnalysisFactsSql('TRUE')); // as ingest keeps them with every analysis outcome
  }

  beforeAll(async () => {
    gateway = await startTestGateway('tabletui', { seed, env: { CRATEFLOW_LIBRARY_ROOTS: '/music' } });
    session = await openBrowser(TABLET);
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
  });

  afterEach(() => expect(session.problems).toEqual([]));

  const pages: [string, string, string][] = [
    ['dashboard', '#/', '#summary-cards .card'],
    ['files', '#/files', 'table.files tbody tr'],
    ['file', `#/files/${fileId}`, 'h1'],
    ['library', '#/library', 'h1, h2'],
    ['proposals', '#/proposals', '#main h1, #main h2'],
    ['executions', '#/executions', '#main h1, #main h2'],
    ['tracklists', '#/tracklists', '#main h1, #main h2'],
  ];

  it.each(pages)('%s: the main content fits the width', async (_name, route, ready) => {
    await page.goto(`${gateway.service.url}/${route}`);
    await page.waitForSelector(ready);
    // Late data (charts, the roots, live lists) lays out after the first rows; the event stream keeps the
    // network busy, so there is no idle moment to wait for.
    await page.waitForTimeout(500);
    const o = await overflow(page);
    expect(o.page).toBeLessThanOrEqual(0);
    expect(o.main).toBeLessThanOrEqual(0);
    expect(o.mainRight).toBeLessThanOrEqual(0);
  });

  it('every section of the navigation is on screen and reachable by a tap', async () => {
    await page.goto(`${gateway.service.url}/#/`);
    const links = page.locator('#nav a');
    expect(await links.count()).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < (await links.count()); i++) {
      const link = links.nth(i);
      await link.scrollIntoViewIfNeeded();
      const box = (await link.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(TABLET.width);
      // A finger needs a target of a usable size.
      expect(box.height).toBeGreaterThanOrEqual(24);
    }
    await links.filter({ hasText: 'Files' }).first().click();
    await page.waitForSelector('table.files tbody tr');
    expect(page.url()).toContain('#/files');
  });
});
