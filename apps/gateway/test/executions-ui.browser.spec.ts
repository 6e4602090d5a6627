import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TestSystem } from '../../../test/e2e/system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of the page, kept as test artefacts (gitignored). */
const ARTEFACTS = path.resolve(__dirname, '../../../test-artifacts/ui');

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

interface PageGlobals {
  document: { querySelector(s: string): { textContent: string | null } | null; body: { textContent: string } };
}

/**
 * The executions page in Debian's chromium against the running gateway, ingest and executor (each its own
 * process) on a small library: a plan with a blocked item, the mode choice, start, live progress, the
 * summary, the relink map, the audit log, undo; axe-core in light and dark.
 */
describe('executions page (browser)', () => {
  let system: TestSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let work: string;
  let library: string;
  let output: string;
  const originals = new Map<string, string>();
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync('/tmp/cf-ui-exec-');
    output = mkdtempSync('/dev/shm/cf-ui-exec-out-');
    library = path.join(work, 'library');
    const incoming = path.join(library, 'incoming');
    mkdirSync(incoming, { recursive: true });
    for (let i = 1; i <= 4; i++) {
      const p = path.join(incoming, `track_${i}.mp3`);
      writeFileSync(p, randomBytes(30_000 + i));
      originals.set(p, sha(p));
    }
    // Something already at one destination: that item is blocked, with its reason.
    mkdirSync(path.join(library, 'music', 'Artist'), { recursive: true });
    writeFileSync(path.join(library, 'music', 'Artist', '04 - Track 4.mp3'), 'already there');
    mkdirSync(path.resolve(__dirname, '../../../test-artifacts/ui'), { recursive: true });

    system = new TestSystem({
      CRATEFLOW_LIBRARY_ROOTS: library,
      CRATEFLOW_OUTPUT_ROOT: output,
      EXECUTOR_PROGRESS_INTERVAL_MS: '50',
    });
    await system.init();
    await system.start('gateway');
    await Promise.all([system.start('ingest'), system.start('executor')]);

    const scan = await system.api<{ id: string }>('POST', '/api/v1/scans', { path: library });
    expect(scan.status).toBe(202);
    await system.waitFor('the scan', async () => {
      const { body } = await system.api<{ status: string }>('GET', `/api/v1/scans/${scan.body.id}`);
      return body.status === 'completed';
    });
    const files: { id: string; path: string; content_hash: string }[] = await system.dataSource.query(
      `SELECT id, path, content_hash FROM files WHERE path LIKE '%/incoming/%' ORDER BY path`,
    );
    expect(files).toHaveLength(4);
    for (const [i, f] of files.entries()) {
      const proposalId = randomUUID();
      const name = `0${i + 1} - Track ${i + 1}.mp3`;
      await system.dataSource.query(
        `INSERT INTO proposals (id, file_id, content_hash, status, source, original_path, proposed_folder, proposed_name,
                                destination_key, confidence, facts, reason, context)
         VALUES ($1, $2, $3, 'pending', 'rules', $4, 'music/Artist', $5, $6, 0.9, '{}', 'tags', '{}')`,
        [proposalId, f.id, f.content_hash, f.path, name, `music/artist/${name.toLowerCase()}`],
      );
      await system.dataSource.query(
        `INSERT INTO proposal_reviews (proposal_id, file_id, content_hash, decision, version, last_action)
         VALUES ($1, $2, $3, 'approved', 1, 'approve')`,
        [proposalId, f.id, f.content_hash],
      );
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      // A CSP violation or a script error shows here; 4xx answers (before signing in) do not count.
      if (
        m.type() === 'error' &&
        !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
      )
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
    rmSync(output, { recursive: true, force: true });
  });

  afterEach(() => expect(problems).toEqual([]));

  const shot = (name: string) => page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: true });
  const textOf = (selector: string) =>
    page.evaluate((s) => (globalThis as unknown as PageGlobals).document.querySelector(s)?.textContent ?? '', selector);

  async function signIn(): Promise<void> {
    await page.waitForSelector('#signin-dialog[open]');
    await page.fill('#signin-token', system.token);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#signin-dialog', { state: 'hidden' });
  }

  it('plans in the chosen mode, with the blocked item and its reason', async () => {
    await page.goto(`${system.gatewayUrl}/#/executions`);
    await page.waitForSelector('#plan-make');
    // The mode is asked for: copy first, then the move that is executed below.
    await page.selectOption('#plan-mode', 'copy');
    await page.click('#plan-make');
    await signIn();
    await page.click('#plan-make');
    await page.waitForSelector('#plan-totals');
    expect(await page.locator('#plan-execute').textContent()).toBe('Execute this plan (copy)');
    expect(await page.locator('#plan-items .path').allTextContents()).toContain(
      path.join(output, 'music', 'Artist', '01 - Track 1.mp3'),
    );

    await page.selectOption('#plan-mode', 'move');
    await page.click('#plan-make');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelector('#plan-execute')?.textContent ===
        'Execute this plan (move)',
    );
    expect(await textOf('#plan-totals')).toMatch(/^3 files \(0 companions\), .*; 1 blocked, 0 skipped\.$/);
    expect(await page.locator('#plan-items tr.plan-blocked').count()).toBe(1);
    expect(await page.locator('#plan-items tr.plan-blocked').textContent()).toContain('destination exists');
    expect(await page.locator('#plan-items tr.plan-ready').count()).toBe(3);
    await shot('executions-plan');
  });

  it('executes with live progress and a summary; offers the relink map; the audit log shows every step', async () => {
    const progressed: string[] = [];
    await page.exposeFunction('__progressSeen', (text: string) => progressed.push(text));
    // Record every value the progress line takes while the execution runs (the page updates it from SSE).
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { getElementById(id: string): unknown };
        MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
        __progressSeen(t: string): void;
      };
      const list = g.document.getElementById('executions') as { textContent: string };
      new g.MutationObserver(() => g.__progressSeen(list.textContent)).observe(list, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    // The list answers only once the execution is over, as on a busy server: the progress events all arrive
    // before the execution's row exists, and must still reach the row when it is drawn.
    const listRoute = /\/api\/v1\/executions\?limit=20$/;
    await page.route(listRoute, async (route) => {
      await system.waitFor('the execution to finish before the list answers', async () => {
        const { body } = await system.api<{ items: { status: string }[] }>('GET', '/api/v1/executions?limit=1');
        return body.items[0]?.status === 'completed' ? true : undefined;
      });
      await route.continue();
    });
    await page.click('#plan-execute');
    await page.waitForFunction(() =>
      /queued/.test((globalThis as unknown as PageGlobals).document.querySelector('#plan-note')?.textContent ?? ''),
    );
    const row = page.locator('#executions li').first();
    await system.waitFor('the execution to complete on the page', async () =>
      /3 done, 0 failed, 0 skipped of 3/.test((await row.textContent()) ?? '') &&
      (await row.locator('.badge').first().textContent()) === 'completed'
        ? true
        : undefined,
    );
    // Handlers still holding a list request let it through first (unrouting under them fails the request).
    await page.unrouteAll({ behavior: 'wait' });
    // The rate comes only from the SSE progress events (the list API has none).
    expect(progressed.some((t) => /of 3; .* of .*B\/s/.test(t))).toBe(true);
    expect(await row.textContent()).toContain('Execution (move)');
    for (const [p, hash] of originals) {
      const n = /track_(\d)\.mp3$/.exec(p)![1];
      const moved = path.join(library, 'music', 'Artist', `0${n} - Track ${n}.mp3`);
      if (p.endsWith('track_4.mp3')) {
        expect(sha(p)).toBe(hash); // blocked: untouched
        continue;
      }
      expect(existsSync(p)).toBe(false);
      expect(sha(moved)).toBe(hash);
    }

    // The relink map downloads as CSV (old path, new path) and JSON.
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a', { hasText: 'CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 3);
    expect(csv).toContain(path.join(library, 'music', 'Artist', '01 - Track 1.mp3'));
    expect(await row.locator('a', { hasText: 'JSON' }).getAttribute('href')).toMatch(/\/relink\.json$/);

    // Failures and steps: none failed; the audit log lists this execution's steps.
    await row.locator('button', { hasText: 'Failures and steps' }).click();
    await page.waitForFunction(() =>
      /No failed file/.test((globalThis as unknown as PageGlobals).document.querySelector('#plan')?.textContent ?? ''),
    );
    await page.waitForFunction(() =>
      ((globalThis as unknown as PageGlobals).document.querySelector('#audit')?.textContent ?? '').includes(
        'releasing',
      ),
    );
    const phases = await page.locator('#audit tr td:nth-child(2)').allTextContents();
    expect(phases).toEqual(expect.arrayContaining(['claiming', 'releasing', 'done']));
    await page.selectOption('#audit-status', 'failed');
    await page.waitForFunction(
      () =>
        !((globalThis as unknown as PageGlobals).document.querySelector('#audit')?.textContent ?? '').includes(
          'releasing',
        ),
    );
    await page.selectOption('#audit-status', '');
    await shot('executions-done');
  });

  it('undoes the execution: every file back where it was', async () => {
    page.once('dialog', (d) => void d.accept());
    const row = page.locator('#executions li').first();
    await row.locator('button', { hasText: 'Undo' }).click();
    await system.waitFor('the undo to complete on the page', async () => {
      const first = page.locator('#executions li').first();
      const text = (await first.textContent()) ?? '';
      return /Undo \(move\)/.test(text) && /3 done, 0 failed/.test(text) && /completed/.test(text) ? true : undefined;
    });
    for (const [p, hash] of originals) expect(sha(p)).toBe(hash);
    expect(existsSync(path.join(library, 'music', 'Artist', '01 - Track 1.mp3'))).toBe(false);
  });

  it.each(['light', 'dark'] as const)('passes axe-core in the %s theme', async (theme) => {
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(`${system.gatewayUrl}/#/executions`);
    await page.waitForSelector('#executions li');
    await page.click('#plan-make');
    await page.waitForSelector('#plan-totals');
    const result = await new AxeBuilder({ page }).analyze();
    const found = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.help} (${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')})`,
      );
    await shot(`${theme}-executions`);
    expect(found).toEqual([]);
  });
});
