import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { MARK_ALL_SHARED_DESTINATIONS_SQL } from '@crateflow/persistence';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import {
  answerSignIn,
  openBrowser,
  startTestGateway,
  type BrowserSession,
  type TestGateway,
} from './support/browser-gateway';

const HOSTILE = '<img src=x onerror="window.__pwned=1"> - Title.mp3';

/** The proposals review page and the preview tree in Debian's chromium, against a gateway on the real database. */
describe('proposals review page (browser)', () => {
  let gateway: TestGateway;
  let session: BrowserSession;
  let page: Page;

  async function seed(db: TestDatabase): Promise<void> {
    const rows: [string, string | null, string, number][] = [
      ['in/a.mp3', 'music/Caribou', 'Caribou - Sun.mp3', 0.92],
      ['in/b.mp3', 'music/X', HOSTILE, 0.55],
      ['in/c.mp3', 'music/Dup', 'Same - Name.mp3', 0.3],
      ['in/d.mp3', 'music/dup', 'SAME - name.mp3', 0.3],
    ];
    for (const [p, folder, name, confidence] of rows) {
      const id = randomUUID();
      const hash = randomBytes(32).toString('hex');
      await db.dataSource.query(
        `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                            first_seen_scan_id, last_seen_scan_id)
         VALUES ($1::uuid, '/music', '/music/' || $2, convert_to($6, 'UTF8'), '\\x00', $3, 'mp3', 'music', 1000,
                 1700000000000, $4, 'PROPOSAL_GENERATED', $5, $5)`,
        [id, p, p.split('/').pop(), hash, randomUUID(), id],
      );
      await db.dataSource.query(
        `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_folder, proposed_name,
                                destination_key, confidence, facts, reason, context)
         VALUES ($1, $2, $3, 'pending', 'rules', $4, $5, $6, lower($5 || '/' || $6), $7, '{}', 'from the tags', '{}')`,
        [randomUUID(), id, hash, p, folder, name, confidence],
      );
    }
    // What the proposer keeps as it writes them: which pending proposals share a destination.
    await db.dataSource.query(MARK_ALL_SHARED_DESTINATIONS_SQL);
  }

  beforeAll(async () => {
    gateway = await startTestGateway('proposalsui', { seed, env: { CRATEFLOW_LIBRARY_ROOTS: '/music' } });
    session = await openBrowser();
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
  });

  afterEach(() => expect(session.problems).toEqual([]));

  const currentStatus = () => page.locator('.proposal.current .meta .badge').first().textContent();

  it('lists old → new with confidence and collisions, hostile names as text', async () => {
    await page.goto(`${gateway.service.url}/#/proposals`);
    await page.waitForSelector('.proposal');
    expect(await page.locator('.proposal').count()).toBe(4);
    await expect(page.locator('.proposal .new .mono').allTextContents()).resolves.toContain(`music/X/${HOSTILE}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    // Same destination on a case-insensitive drive: both are marked.
    expect(await page.locator('.proposal .collision').count()).toBe(2);
    expect(await page.locator('.proposal .confidence.tone-ok').count()).toBe(1);
  });

  it('approves with the keyboard after signing in, undoes from the toast, rejects the next one', async () => {
    await page.keyboard.press('a');
    await answerSignIn(page, gateway.token);
    await page.waitForSelector('#signin-dialog', { state: 'hidden' });
    await page.keyboard.press('a');
    await page.waitForFunction(() => {
      const el = (
        globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
      ).document.querySelector('.proposal.current .meta .badge');
      return el?.textContent === 'approved';
    });
    await page.click('.toast button');
    await page.waitForFunction(() => {
      const el = (
        globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
      ).document.querySelector('.proposal.current .meta .badge');
      return el?.textContent === 'pending';
    });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('r');
    await page.waitForFunction(() => {
      const el = (
        globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
      ).document.querySelector('.proposal.current .meta .badge');
      return el?.textContent === 'rejected';
    });
    expect(await currentStatus()).toBe('rejected');
    // A colliding proposal cannot be approved: the reason names the other file.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('a');
    await page.waitForFunction(() =>
      /collides with/.test(
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('.message')?.textContent ?? '',
      ),
    );
  });

  it('bulk-approves with counts and shows the preview tree', async () => {
    await page.fill('input[aria-label="Lowest confidence to approve"]', '0.5');
    await page.click('text=Approve selected / all pending ≥');
    await page.waitForFunction(() =>
      /Approved 1; skipped 0/.test(
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('.message')?.textContent ?? '',
      ),
    );
    await page.goto(`${gateway.service.url}/#/proposals/preview`);
    await page.waitForSelector('[role=tree]');
    const text = await page.locator('#preview').textContent();
    expect(text).toMatch(/music\//);
    expect(text).toMatch(/Caribou\//);
  });
});
