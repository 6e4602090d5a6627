import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '@crateflow/persistence/src/testing';
import { runService, type RunningService } from '@crateflow/service-host';
import { gatewayService } from '../../src/main';
import { deleteTestStreams, NATS_URL } from '../../../../test/support/service-harness';

/** Debian's chromium (installed by `.ci/run` when missing); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser with one page whose script errors and CSP violations collect in `problems` (it must stay empty). */
export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

/**
 * Launches headless chromium and opens a page. Chromium also logs the 4xx answers tests provoke on purpose
 * ("Failed to load resource"): those are not problems; every other console error and page error is.
 */
export async function openBrowser(viewport?: { width: number; height: number }): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { browser, context, page, problems, close: () => browser.close() };
}

/** A gateway running in this process on its own fresh database and NATS prefix (real PostgreSQL and NATS). */
export interface TestGateway {
  db: TestDatabase;
  service: RunningService;
  prefix: string;
  /** The API token it was started with (what a person signs in with). */
  token: string;
  stop(): Promise<void>;
}

/**
 * Creates a migrated database named after `label`, lets `seed` fill it, and starts the gateway on it
 * (any free port). `env` adds to or overrides the gateway's settings (e.g. CRATEFLOW_LIBRARY_ROOTS).
 */
export async function startTestGateway(
  label: string,
  options: { seed?: (db: TestDatabase) => Promise<void>; env?: Record<string, string> } = {},
): Promise<TestGateway> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const token = randomBytes(24).toString('hex');
  const db = await createTestDatabase(label);
  let service: RunningService | undefined;
  const stop = async () => {
    await service?.stop();
    await db.drop();
    await deleteTestStreams(prefix);
  };
  try {
    await options.seed?.(db);
    service = await runService(gatewayService, {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL,
      NATS_PREFIX: prefix,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      CRATEFLOW_API_TOKEN: token,
      LOG_LEVEL: 'warn',
      ...options.env,
    });
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { db, service, prefix, token, stop };
}

/** Answers the sign-in dialog a state-changing action opened, with `token`; does not wait for the outcome. */
export async function answerSignIn(page: Page, token: string): Promise<void> {
  await page.waitForSelector('#signin-dialog[open]');
  await page.fill('#signin-token', token);
  await page.click('#signin-form button[type=submit]');
}
