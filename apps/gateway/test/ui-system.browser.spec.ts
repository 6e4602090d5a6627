import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { TestSystem } from '../../../test/e2e/system';
import { openBrowser, type BrowserSession } from './support/browser-gateway';

/** Screenshots of every page, kept as test artefacts (gitignored). */
const ARTEFACTS = path.resolve(__dirname, '../../../test-artifacts/ui');

/** Tracks made here: a kick on every beat and a sustained triad, so tempo and key are known. */
const TRACKS = [
  {
    file: 'Incoming/Alpha Unit - Warehouse.mp3',
    artist: 'Alpha Unit',
    title: 'Warehouse',
    bpm: 124,
    notes: [220, 261.63, 329.63],
  },
  { file: 'Incoming/Bravo - Lift Off.mp3', artist: 'Bravo', title: 'Lift Off', bpm: 128, notes: [261.63, 329.63, 392] },
  {
    file: 'Incoming/Charlie - Rollers.flac',
    artist: 'Charlie',
    title: 'Rollers',
    bpm: 172,
    notes: [174.61, 207.65, 261.63],
  },
];

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function makeTrack(target: string, t: (typeof TRACKS)[number], seconds: number): void {
  const beat = (60 / t.bpm).toFixed(6);
  const expr = [`0.7*sin(2*PI*55*t)*exp(-18*mod(t\\,${beat}))`, ...t.notes.map((f) => `0.12*sin(2*PI*${f}*t)`)].join(
    '+',
  );
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${expr}:s=44100:d=${seconds}`,
    '-metadata',
    `artist=${t.artist}`,
    '-metadata',
    `title=${t.title}`,
    ...(target.endsWith('.flac') ? ['-c:a', 'flac'] : ['-c:a', 'libmp3lame', '-b:a', '192k']),
    target,
  ]);
}

interface PageGlobals {
  document: { querySelectorAll(s: string): { length: number }; activeElement: { className?: string } | null };
}

/**
 * The web UI in Debian's chromium against the whole running system (gateway, ingest, metadata, fingerprint
 * and analysis as their own processes) on a fixture library: a scan started from the UI, every page with
 * real data, filters and keys, a failed file that says why, and axe-core in light and dark.
 */
describe('web UI against the running system (browser)', () => {
  let system: TestSystem;
  let session: BrowserSession;
  let page: Page;
  let work: string;
  let library: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'crateflow-ui-system-'));
    library = path.join(work, 'library');
    mkdirSync(path.join(library, 'Incoming'), { recursive: true });
    mkdirSync(ARTEFACTS, { recursive: true });
    for (const t of TRACKS) makeTrack(path.join(library, t.file), t, 40);
    // A byte-identical copy, a file that only looks like audio, an empty one, a companion and a hostile name.
    copyFileSync(path.join(library, TRACKS[0].file), path.join(library, 'Incoming/Alpha Unit - Warehouse (copy).mp3'));
    writeFileSync(path.join(library, 'Incoming/Broken - Not Audio.mp3'), randomBytes(40_000));
    writeFileSync(path.join(library, 'Incoming/Empty.mp3'), '');
    writeFileSync(path.join(library, 'Incoming/Bravo - Lift Off.nfo'), 'Bravo - Lift Off\nLabel: Test Records\n');
    makeTrack(
      path.join(library, 'Incoming/<img src=x onerror=alert(1)>.mp3'),
      { ...TRACKS[1], artist: '<b>x</b>' },
      20,
    );

    system = new TestSystem({ CRATEFLOW_LIBRARY_ROOTS: library, INGEST_PROGRESS_INTERVAL_MS: '100' });
    await system.init();
    await system.start('gateway');
    await Promise.all(['ingest', 'metadata', 'fingerprint', 'analysis'].map((s) => system.start(s as 'ingest')));

    session = await openBrowser({ width: 1280, height: 900 });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await system?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => expect(session.problems).toEqual([]));

  const shot = (name: string) => page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: true });

  async function settled(): Promise<void> {
    // Every music file has a final analysis status (done, skipped or failed) for its current content.
    await system.waitFor(
      'the pipeline to finish the fixture library',
      async () => {
        const [row] = await system.dataSource.query(
          `SELECT count(*)::int AS open FROM files f
            WHERE f.kind = 'music' AND NOT EXISTS (SELECT 1 FROM file_stage_statuses s
              WHERE s.file_id = f.id AND s.content_hash = f.content_hash
                AND s.status IN ('done', 'skipped', 'failed')
                AND (s.stage = 'analysis' OR s.status = 'failed'))`,
        );
        const [all] = await system.dataSource.query(`SELECT count(*)::int AS n FROM files`);
        return all.n > 0 && row.open === 0;
      },
      240_000,
      500,
    );
  }

  it('starts a scan from the UI after signing in, and shows its progress live', async () => {
    await page.goto(`${system.gatewayUrl}/`);
    await page.waitForSelector('#live.on');
    await page.fill('#scan-path', path.join(library, 'Incoming'));
    await page.click('#scan-form button[type=submit]');
    await page.waitForSelector('#signin-dialog[open]');
    await page.fill('#signin-token', system.token);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#scan-message.ok');
    // The scan appears and finishes without reloading: its counts arrive over the event stream.
    await page.waitForSelector('#scans .scan-completed', { timeout: 60_000 });
    expect(await page.locator('#scans .scan-completed .scan-counts').first().textContent()).toMatch(/^8 found · 8 new/);
    await settled();
    await page.reload();
    await page.waitForSelector('#stages td');
    await shot('dashboard');
  });

  it('lists files with the columns a DJ scans by, filters them and answers the keyboard', async () => {
    await page.goto(`${system.gatewayUrl}/#/files`);
    await page.waitForSelector('#files-body tr');
    const rows = page.locator('#files-body tr');
    expect(await rows.count()).toBe(8);
    const warehouse = page.locator('#files-body tr', { hasText: 'Alpha Unit – Warehouse' }).first();
    expect(await warehouse.locator('td').nth(1).textContent()).toBe('0:40');
    const bpm = Number(await warehouse.locator('td').nth(2).textContent());
    expect(Math.abs(bpm - 124)).toBeLessThan(2);
    await shot('files');

    // BPM range through the form: only the 172 BPM track.
    await page.fill('#filters input[name=bpmMin]', '165');
    await page.fill('#filters input[name=bpmMax]', '180');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#files-body tr').length === 1,
    );
    expect(await page.locator('#files-body a.name').textContent()).toBe('Charlie – Rollers');
    expect(page.url()).toContain('bpmMin=165');

    // Keyboard: / focuses the search, Escape leaves it, j moves to the first file, Enter opens it.
    await page.goto(`${system.gatewayUrl}/#/files?sort=bpm`);
    await page.waitForSelector('#files-body tr');
    expect(await page.locator('#files-note').textContent()).toMatch(/only files with a measured BPM/);
    await page.keyboard.press('/');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { name: string } } }).document.activeElement.name,
      ),
    ).toBe('q');
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.file-header');
    expect(await page.locator('.file-title').textContent()).toContain('Alpha Unit – Warehouse');
    // g l: the library overview.
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForSelector('#library .wheel');
  });

  it('says in words why a file failed, on the list and on its page', async () => {
    await page.goto(`${system.gatewayUrl}/#/files?problems=true`);
    await page.waitForSelector('#files-body tr');
    const broken = page.locator('#files-body tr', { hasText: 'Broken - Not Audio.mp3' });
    const text = (await broken.locator('td.problems').textContent()) ?? '';
    expect(text).toMatch(/(metadata|fingerprint|analysis) (failed|skipped): \S/);
    await broken.locator('a.name').click();
    await page.waitForSelector('#file-problems');
    expect(await page.locator('#file-problems').textContent()).toMatch(/(failed|skipped): \S/);
    await shot('file-failed');
  });

  it('shows a track with its facts, energy outline and other copies', async () => {
    const [row] = await system.dataSource.query(`SELECT id FROM files WHERE name = 'Bravo - Lift Off.mp3'`);
    await page.goto(`${system.gatewayUrl}/#/files/${row.id}`);
    await page.waitForSelector('.file-header .facts');
    const facts = await page.locator('.facts').textContent();
    expect(facts).toMatch(/BPM1[23]\d\.\d/);
    expect(facts).toMatch(/Format/);
    await page.waitForSelector('.chart .uplot canvas');
    await page.waitForSelector('#file-duplicates p, #file-duplicates ul');
    // An analysed track keeps its identification reachable (a short mix the analyser did not call one).
    await page.waitForSelector('#mix-timeline p:has-text("Not identified yet.")');
    expect(await page.isVisible('#mix-identify')).toBe(true);
    expect(await page.locator('details.raw').count()).toBeGreaterThan(0);
    expect(await page.locator('details.raw[open]').count()).toBe(0);
    // Sections a file does not have leave no trace (no stray "null" between panels).
    const strayText = await page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { getElementById(id: string): { childNodes: { nodeType: number; textContent: string }[] } };
        }
      ).document.getElementById('file-detail');
      return [...root.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent);
    });
    expect(strayText).toEqual([]);
    await shot('file-track');

    const [copy] = await system.dataSource.query(`SELECT id FROM files WHERE name = 'Alpha Unit - Warehouse.mp3'`);
    await page.goto(`${system.gatewayUrl}/#/files/${copy.id}`);
    await page.waitForSelector('#file-duplicates ul');
    expect(await page.locator('#file-duplicates').textContent()).toContain('Alpha Unit - Warehouse (copy).mp3');
  });

  it("draws a mix's BPM, energy and key over time", async () => {
    // The fixture tracks are short; this one's analysis is rewritten as the analyser writes a mix's.
    const [row] = await system.dataSource.query(
      `SELECT f.id, a.result FROM files f JOIN file_analysis a ON a.file_id = f.id WHERE f.name = 'Charlie - Rollers.flac'`,
    );
    const timeline = Array.from({ length: 24 }, (_, i) => ({
      startSec: i * 30,
      endSec: i * 30 + 30,
      silent: false,
      bpm: 124 + i * 0.5,
      key: { name: i < 12 ? 'A minor' : 'C major', camelot: i < 12 ? '8A' : '8B', strength: 0.8 },
      energy: 0.4 + (i % 6) / 10,
      loudnessDbfs: -9,
    }));
    await system.dataSource.query(`UPDATE file_analysis SET result = $2::jsonb WHERE file_id = $1`, [
      row.id,
      JSON.stringify({ ...row.result, kind: 'mix', timeline, file: { ...row.result.file, durationSec: 720 } }),
    ]);
    await page.goto(`${system.gatewayUrl}/#/files/${row.id}`);
    await page.waitForSelector('.chart .uplot canvas');
    expect(await page.locator('.timeline-bar .segment', { hasText: '8A' }).count()).toBe(1);
    expect(await page.locator('.timeline-bar .segment', { hasText: '8B' }).count()).toBe(1);
    await shot('file-mix');
  });

  it('shows the library overview with real numbers', async () => {
    await page.goto(`${system.gatewayUrl}/#/library`);
    await page.waitForSelector('#library .wheel');
    expect(await page.locator('#library .card-value').first().textContent()).toBe('8');
    expect(await page.locator('#library .wheel a').count()).toBeGreaterThan(0);
    expect(await page.locator('#library').textContent()).toMatch(
      /1 content is stored more than once: 1 extra copy takes/,
    );
    await shot('library');
  });

  it.each(['light', 'dark'] as const)('passes axe-core on every page in the %s theme', async (theme) => {
    await page.emulateMedia({ colorScheme: theme });
    const [file] = await system.dataSource.query(`SELECT id FROM files WHERE name = 'Bravo - Lift Off.mp3'`);
    const [broken] = await system.dataSource.query(`SELECT id FROM files WHERE name = 'Broken - Not Audio.mp3'`);
    const routes: [string, string][] = [
      ['dashboard', '#/'],
      ['files', '#/files'],
      ['files-by-bpm', '#/files?sort=bpm&problems=false'],
      ['library', '#/library'],
      ['file-track', `#/files/${file.id}`],
      ['file-failed', `#/files/${broken.id}`],
    ];
    const found: string[] = [];
    for (const [name, route] of routes) {
      await page.goto(`${system.gatewayUrl}/${route}`);
      await page.waitForFunction(
        () =>
          !(
            globalThis as unknown as { document: { body: { textContent: string } } }
          ).document.body.textContent.includes('Loading…'),
      );
      const result = await new AxeBuilder({ page }).analyze();
      for (const v of result.violations)
        if (v.impact === 'serious' || v.impact === 'critical')
          found.push(
            `${route} ${v.id}: ${v.help} (${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')})`,
          );
      await shot(`${theme}-${name}`);
    }
    expect(found).toEqual([]);
  });
});
