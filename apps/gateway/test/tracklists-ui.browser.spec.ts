import { createHash, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import {
  answerSignIn,
  openBrowser,
  startTestGateway,
  type BrowserSession,
  type TestGateway,
} from './support/browser-gateway';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The tracklists page in Debian's chromium against a gateway on the real PostgreSQL and NATS. */
describe('tracklists page (browser)', () => {
  let gateway: TestGateway;
  let db: TestDatabase;
  let session: BrowserSession;
  let page: Page;
  const mixId = randomUUID();
  const mixHash = sha('browser mix');
  const fp = randomUUID();
  const cue = randomUUID();
  const trackIds: string[] = [];

  async function seed(id: string, source: string, key: string, tracks: [string, string, number, number | null][]) {
    await db.dataSource.query(
      `INSERT INTO tracklists (id, source, source_key, title, artist, event, date, current_version)
       VALUES ($1, $2, $3, 'Friday', 'DJ Test', $4, '2024-05-01', 1)`,
      [id, source, key, HOSTILE],
    );
    await db.dataSource.query(`INSERT INTO tracklist_versions VALUES ($1, 1, $2, $3, now())`, [
      id,
      sha(id),
      tracks.length,
    ]);
    for (const [i, [artist, title, cueSec, confidence]] of tracks.entries()) {
      const tid = randomUUID();
      if (source === 'fingerprint') trackIds.push(tid);
      await db.dataSource.query(
        `INSERT INTO tracklist_tracks (id, tracklist_id, version, position, artist, title, cue_sec, confidence, unknown)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, false)`,
        [tid, id, i + 1, artist, title, cueSec, confidence],
      );
    }
    await db.dataSource.query(
      `INSERT INTO tracklist_links (tracklist_id, content_hash, made_by) VALUES ($1, $2, 'source')`,
      [id, mixHash],
    );
  }

  async function seedAll(): Promise<void> {
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, first_seen_scan_id, last_seen_scan_id)
       VALUES ($1, '/music', '/music/Friday mix.mp3', '\\x01', '\\x00', 'Friday mix.mp3', 'mp3', 'music', 1, 1, $2, $3, $3)`,
      [mixId, mixHash, randomUUID()],
    );
    await seed(fp, 'fingerprint', mixHash, [
      ['Kevin MacLeod', 'Vibe Ace', 0, 0.9],
      ['Kevin MacLeod', HOSTILE, 41, 0.3],
    ]);
    await seed(cue, 'cue', `c:${mixHash}`, [['Kevin MacLeod', 'Vibe Ace', 0, null]]);
  }

  beforeAll(async () => {
    gateway = await startTestGateway('tl_ui', {
      seed: (d) => {
        db = d;
        return seedAll();
      },
    });
    session = await openBrowser();
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
  });

  afterEach(() => expect(session.problems).toEqual([]));

  it('lists tracklists and opens a mix with its sources side by side, hostile text as text', async () => {
    await page.goto(`${gateway.service.url}/#/tracklists`);
    await page.waitForSelector('table.tracklists tbody tr');
    expect(await page.locator('table.tracklists tbody tr').count()).toBe(2);
    await page.locator('table.tracklists a', { hasText: 'Open mix' }).first().click();
    await page.waitForSelector('#tracklist-sources .tracklist-source');
    expect(
      await page.locator('.tracklist-source').evaluateAll((els) => els.map((e) => e.getAttribute('data-source'))),
    ).toEqual(['fingerprint', 'cue']);
    // Vibe Ace is in both sources: marked as agreed.
    expect(await page.locator('.tracklist-source[data-source=fingerprint] .badge-agree').count()).toBe(1);
    expect(await page.locator('.tracklist-source[data-source=fingerprint] tbody').textContent()).toContain(HOSTILE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const href = await page
      .locator('.tracklist-source[data-source=fingerprint] a', { hasText: 'CUE sheet' })
      .getAttribute('href');
    expect(href).toBe(`/api/v1/tracklists/${fp}/cue-sheet?fileId=${mixId}`);
  });

  it('approves after signing in and edits a track inline', async () => {
    await page.locator('.tracklist-source[data-source=fingerprint] button.approve').click();
    await answerSignIn(page, gateway.token);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }
        ).document.getElementById('tracklist-status')?.textContent === 'Approve: done.',
    );
    await page.waitForSelector('.tracklist-source[data-source=fingerprint] .badge-review-approved');
    const [decision] = await db.dataSource.query(`SELECT status FROM tracklist_decisions WHERE tracklist_id = $1`, [
      fp,
    ]);
    expect(decision.status).toBe('approved');

    const row = page.locator('.tracklist-source[data-source=fingerprint] tbody tr').nth(1);
    await row.locator('button', { hasText: 'Edit' }).click();
    await row.locator('input[aria-label="Title"]').fill('Sugar Plum');
    await row.locator('input[aria-label="Start (h:mm:ss)"]').fill('0:42');
    await row.locator('button', { hasText: 'Save' }).click();
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }
        ).document.getElementById('tracklist-status')?.textContent === 'Save track: done.',
    );
    const [edit] = await db.dataSource.query(`SELECT changes FROM tracklist_track_edits WHERE track_id = $1`, [
      trackIds[1],
    ]);
    expect(edit.changes).toEqual({ artist: 'Kevin MacLeod', title: 'Sugar Plum', cueSec: 42 });
    expect(await page.locator('.tracklist-source[data-source=fingerprint] tbody').textContent()).toContain(
      'Sugar Plum',
    );
  });
});
