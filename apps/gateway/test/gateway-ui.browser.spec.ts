import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { Subjects, type ScanCounts } from '@crateflow/contracts';
import { Messaging } from '@crateflow/messaging';
import { refreshStageFlagsSql } from '@crateflow/persistence';
import type { TestDatabase } from '@crateflow/persistence/src/testing';
import type { RunningService } from '@crateflow/service-host';
import { NATS_URL } from '../../../test/support/service-harness';
import { openBrowser, startTestGateway, type BrowserSession, type TestGateway } from './support/browser-gateway';
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">.mp3';
const HOSTILE_REASON = 'bad frame <script>window.__pwned=2</script>';
const FILE_COUNT = 120;

/**
 * The few browser globals the page-side checks use. This workspace's TypeScript has no DOM types, and
 * string predicates would need eval, which the UI's own CSP (rightly) forbids.
 */
interface PageGlobals {
  document: {
    getElementById(id: string): { textContent: string | null; className: string } | null;
    querySelectorAll(selector: string): { length: number };
    cookie: string;
  };
  location: { hash: string };
  __pwned?: number;
}

/** Waits until an element's text equals (or contains) the wanted text; checked in the page. */
function waitForText(page: Page, id: string, want: string, how: 'equals' | 'includes' = 'equals') {
  return page.waitForFunction(
    (args) => {
      const text = (globalThis as unknown as PageGlobals).document.getElementById(args.id)?.textContent ?? '';
      return args.how === 'equals' ? text === args.want : text.includes(args.want);
    },
    { id, want, how },
  );
}

function waitForClass(page: Page, id: string, className: string) {
  return page.waitForFunction(
    (args) =>
      ((globalThis as unknown as PageGlobals).document.getElementById(args.id)?.className ?? '').includes(
        args.className,
      ),
    { id, className },
  );
}

/** Set only if an injected script ran. */
const pwned = (page: Page): Promise<number | undefined> =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned);

const counts = (found: number): ScanCounts => ({
  found,
  new: found,
  changed: 0,
  unchanged: 0,
  missing: 0,
  errors: 0,
  ignored: 0,
  symlinksSkipped: 0,
  unstable: 0,
  bytesHashed: found * 1000,
});

/** The web UI in Debian's chromium against a gateway on the real PostgreSQL and NATS. */
describe('gateway web UI (browser)', () => {
  let gateway: TestGateway;
  let db: TestDatabase;
  let service: RunningService;
  let token: string;
  let bus: Messaging;
  let session: BrowserSession;
  let page: Page;
  let work: string;
  let library: string;
  const ids: string[] = [];
  const runningScan = randomUUID();
  const runningExecution = randomUUID();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-ui-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'Incoming'), { recursive: true });
    gateway = await startTestGateway('gatewayui', { seed, env: { CRATEFLOW_LIBRARY_ROOTS: library } });
    ({ db, service, token } = gateway);
    bus = await Messaging.connect({ url: NATS_URL, prefix: gateway.prefix, name: 'gateway-ui-test' });
    session = await openBrowser();
    page = session.page;
  });

  async function seed(fresh: TestDatabase): Promise<void> {
    for (let i = 0; i < FILE_COUNT; i++) ids.push(randomUUID());
    await fresh.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id)
       SELECT f.id, '/music', '/music/' || lpad(n::text, 3, '0') || ' ' || CASE WHEN n = 1 THEN $2 ELSE 'track.flac' END,
              convert_to(f.id::text, 'UTF8'), '\\x00', lpad(n::text, 3, '0') || ' ' || CASE WHEN n = 1 THEN $2 ELSE 'track.flac' END,
              'flac', 'music', n * 1000, 1700000000000, repeat('ab', 32), 'DISCOVERED', $3::uuid, $3::uuid
         FROM unnest($1::uuid[]) WITH ORDINALITY AS f(id, n)`,
      [ids, HOSTILE_NAME, randomUUID()],
    );
    await fresh.dataSource.query(
      `INSERT INTO file_stage_statuses (file_id, stage, status, content_hash, reason, attempts)
       VALUES ($1, 'metadata', 'failed', repeat('ab', 32), $2, 5)`,
      [ids[0], HOSTILE_REASON],
    );
    await fresh.dataSource.query(refreshStageFlagsSql('TRUE')); // as ingest keeps them with every status
    await fresh.dataSource.query(
      `INSERT INTO scans (id, root, path, status, counts, started_at) VALUES ($1, '/music', '/music', 'running', $2, now())`,
      [runningScan, counts(10)],
    );
    // An execution moving two files, the first of them done.
    await fresh.dataSource.query(
      `INSERT INTO executions (id, kind, mode, status, options, started_at) VALUES ($1, 'run', 'move', 'running', '{}', now())`,
      [runningExecution],
    );
    await fresh.dataSource.query(
      `INSERT INTO execution_operations (id, execution_id, seq, kind, role, source_path, source_key, destination_path,
                                         destination_key, size, mtime_ms, content_hash, phase, status)
       SELECT gen_random_uuid(), $1, n, 'move', 'media', '/music/in/' || n, '\x01', '/music/out/' || n, '\x02', 1000,
              1700000000000, repeat('ab', 32), CASE WHEN n = 1 THEN 'done' ELSE 'pending' END,
              CASE WHEN n = 1 THEN 'done' ELSE 'pending' END
         FROM generate_series(1, 2) n`,
      [runningExecution],
    );
  }

  afterAll(async () => {
    await session?.close();
    await bus?.close();
    await gateway?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(session.problems).toEqual([]);
  });

  it('shows the dashboard, with hostile names and reasons as plain text', async () => {
    await page.goto(`${service.url}/`);
    await page.waitForSelector('.card-value');
    expect(await page.locator('.card-value').first().textContent()).toBe(String(FILE_COUNT));
    const failure = page.locator('#failures li').first();
    await expect(failure.locator('.reason').textContent()).resolves.toBe(`${HOSTILE_REASON} (after 5 attempts)`);
    await expect(failure.locator('a.path').textContent()).resolves.toBe(`/music/001 ${HOSTILE_NAME}`);
    expect(await page.locator('img[src="x"], #failures script').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
    expect(await page.locator('#stages td.status-failed').textContent()).toBe('1');
    // The scan form offers the configured roots: the folder starts as the chosen root.
    await page.waitForSelector('#scan-root option[value]:not([value=""])', { state: 'attached' });
    expect(await page.locator('#scan-root').inputValue()).toBe(library);
    expect(await page.locator('#scan-path').inputValue()).toBe(library);
    expect(await page.textContent('#scan-root-note')).toBe('Never scanned.');
  });

  it('shows a running execution next to scans and identifications, with live progress', async () => {
    const item = page.locator(`#working li[data-execution="${runningExecution}"]`);
    await expect(item.locator('a').textContent()).resolves.toBe('Executing move: 1 of 2 files');
    await waitForText(page, 'live-text', 'live');
    const progressed = { total: 2, done: 2, failed: 0, skipped: 0, pending: 0, bytesDone: 2000, bytesTotal: 2000 };
    await bus.publish(
      Subjects.executionProgressed,
      { executionId: runningExecution, counts: progressed, bytesPerSecond: 1000, etaSeconds: 0, files: [] },
      { msgId: `x:${runningExecution}` },
    );
    await waitForText(page, 'working', 'Executing move: 2 of 2 files', 'includes');
    await bus.publish(
      Subjects.executionFinished,
      { executionId: runningExecution, status: 'completed', counts: progressed, foldersRemoved: 0 },
      { msgId: `xf:${runningExecution}` },
    );
    await waitForText(page, 'working', 'Nothing is being identified or executed right now.');
  });

  it('shows scan progress live from the event stream', async () => {
    await waitForText(page, 'live-text', 'live');
    await bus.publish(
      Subjects.scanProgressed,
      { scanId: runningScan, counts: counts(4321) },
      { msgId: `p:${runningScan}` },
    );
    await waitForText(page, 'scans', '4,321 found', 'includes');
  });

  it('asks to sign in once, refuses a wrong token, then queues the scan with a session cookie', async () => {
    await page.fill('#scan-path', path.join(library, 'Incoming'));
    await page.click('#scan-form button[type=submit]');
    await page.waitForSelector('#signin-dialog[open]');

    await page.fill('#signin-token', 'not-the-token-at-all');
    await page.click('#signin-form button[type=submit]');
    await waitForText(page, 'signin-message', 'That token is not valid.');
    expect(await page.isVisible('#signin-dialog')).toBe(true);

    await page.fill('#signin-token', token);
    await page.click('#signin-form button[type=submit]');
    await waitForText(page, 'scan-message', 'Scan queued.');
    expect(await page.isVisible('#signin-dialog')).toBe(false);
    await page.waitForSelector('#scans .scan-queued');
    // The session is an HttpOnly, SameSite=Strict cookie: no script on the page can read it.
    const cookies = await page.context().cookies();
    const sessionCookie = cookies.find((c) => c.name === 'crateflow_session');
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.cookie)).not.toContain(
      'crateflow_session',
    );

    // A folder outside the roots: the reason is shown, and no second sign-in is asked for.
    await page.fill('#scan-path', work);
    await page.click('#scan-form button[type=submit]');
    await waitForClass(page, 'scan-message', 'error');
    expect(await page.textContent('#scan-message')).toMatch(/outside the configured library roots/);
    expect(await page.isVisible('#signin-dialog')).toBe(false);
  });

  it('pages through files with filters and opens a file', async () => {
    await page.goto(`${service.url}/#/files?limit=50`);
    await page.waitForSelector('#files-body tr');
    expect(await page.locator('#files-body tr').count()).toBe(50);
    await page.click('#page-next');
    await waitForText(page, 'page-info', 'Page 2');
    await page.click('#page-next');
    await waitForText(page, 'page-info', 'Page 3');
    expect(await page.locator('#files-body tr').count()).toBe(FILE_COUNT - 100);
    expect(await page.isDisabled('#page-next')).toBe(true);
    await page.click('#page-prev');
    await waitForText(page, 'page-info', 'Page 2');

    await page.selectOption('#filters select[name=stage]', 'metadata');
    await page.selectOption('#filters select[name=stageStatus]', 'failed');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#files-body tr').length === 1,
    );
    expect(await page.locator('#files-body a.name').textContent()).toBe(`001 ${HOSTILE_NAME}`);

    await page.click('#files-body a.name');
    await page.waitForSelector('.pipeline');
    expect(await page.locator('.pipeline .stage').count()).toBe(4);
    expect(await page.locator('.pipeline .stage.status-failed .reason').textContent()).toBe(HOSTILE_REASON);
    expect(await page.locator('.file-title').textContent()).toContain(HOSTILE_NAME);
    expect(await pwned(page)).toBeUndefined();
  });

  it("shows a mix's identified tracks, hostile tags as plain text, with the CUE sheet link", async () => {
    const hostileArtist = '<script>window.__pwned=3</script>';
    await db.dataSource.query(
      `INSERT INTO file_metadata (file_id, content_hash, status, artist, title) VALUES ($1, repeat('ab', 32), 'read', $2, 'Army of Me')`,
      [ids[2], hostileArtist],
    );
    await db.dataSource.query(
      `INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, processed_sec, duration_sec,
                                        entries, unknown, requested_at, started_at, finished_at)
       VALUES ($1, $2, repeat('ab', 32), 'done', 1, 600, 600, $3::jsonb, '[]'::jsonb, now(), now(), now())`,
      [
        randomUUID(),
        ids[1],
        JSON.stringify([
          {
            trackId: 1,
            contentHash: 'ab'.repeat(32),
            startSec: 0,
            endSec: 300,
            refStartSec: 12,
            speed: 1,
            mode: 'exact',
            confidence: 0.9,
            score: 90,
          },
          {
            trackId: 1,
            contentHash: 'cd'.repeat(32),
            startSec: 305.5,
            endSec: 450,
            refStartSec: 3,
            speed: 1.04,
            mode: 'vinyl',
            confidence: 0.7,
            score: 40,
          },
          {
            // Key-shifted, and heard through another recorded set of the library (no copy of it present).
            trackId: 1,
            contentHash: 'ab'.repeat(32),
            startSec: 450,
            endSec: 600,
            refStartSec: 30,
            speed: 1,
            mode: 'key',
            keySemitones: 1,
            confidence: 0.8,
            score: 60,
            via: { trackId: 9, contentHash: 'ef'.repeat(32), refStartSec: 40 },
          },
        ]),
      ],
    );
    await page.goto(`${service.url}/#/files/${ids[1]}`);
    await page.waitForSelector('#mix-timeline table');
    const rows = page.locator('#mix-timeline tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain(`${hostileArtist} – Army of Me`);
    expect(await rows.nth(1).textContent()).toContain('5:05');
    expect(await rows.nth(1).textContent()).toContain('+4.0 % (vinyl)');
    expect(await rows.nth(1).textContent()).toContain('no copy present');
    expect(await rows.nth(2).textContent()).toContain(`${hostileArtist} – Army of Me (in another recorded set)`);
    expect(await rows.nth(2).textContent()).toContain('key +1 semitones');
    expect(await page.locator('#mix-timeline a[download]').getAttribute('href')).toBe(
      `/api/v1/mixes/${ids[1]}/identification.cue`,
    );
    expect(await page.isVisible('#mix-identify')).toBe(true);
    expect(await pwned(page)).toBeUndefined();
  });
  it("shows a copy the executor made as a copy of its original, with the original's stages", async () => {
    const copy = randomUUID();
    await db.dataSource.query(
      `INSERT INTO files (id, root, path, path_key, dir_key, name, ext, kind, size, mtime_ms, content_hash, state,
                          first_seen_scan_id, last_seen_scan_id, copied_from_file_id)
       SELECT $1::uuid, '/output', '/output/Artist/copy.flac', convert_to($1::text, 'UTF8'), '\\x00', 'copy.flac', 'flac',
              kind, size, mtime_ms, content_hash, 'EXECUTED', first_seen_scan_id, last_seen_scan_id, id
         FROM files WHERE id = $2`,
      [copy, ids[0]],
    );
    try {
      await page.goto(`${service.url}/#/files/${copy}`);
      await page.waitForSelector('.pipeline');
      const original = page.locator(`.file-header a[href="#/files/${ids[0]}"]`);
      expect(await original.textContent()).toBe(`/music/001 ${HOSTILE_NAME}`);
      // The original's metadata stage failed: its copy says so too (same bytes, not read again).
      expect(await page.locator('.pipeline .stage.status-failed .reason').textContent()).toBe(HOSTILE_REASON);
      await original.click();
      await page.waitForFunction(
        (id) => (globalThis as unknown as PageGlobals).location.hash === `#/files/${id}`,
        ids[0],
      );
      expect(await pwned(page)).toBeUndefined();
    } finally {
      await db.dataSource.query(`DELETE FROM files WHERE id = $1`, [copy]);
    }
  });
});
