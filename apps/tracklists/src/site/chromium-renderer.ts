import type { PageRenderer } from './tracklists-site.client';

/**
 * Renders a page in the system's Chromium through playwright-core (never a downloaded browser). One browser is
 * started on first use and reused; each page gets a fresh context. Only used when TRACKLISTS_RENDER is on.
 */
export class ChromiumRenderer implements PageRenderer {
  private browser: Promise<import('playwright-core').Browser> | null = null;

  constructor(
    private readonly options: {
      executablePath: string;
      userAgent: string;
      timeoutMs: number;
      allowHost: (url: URL) => boolean;
    },
  ) {}

  private launch() {
    if (!this.browser) {
      this.browser = import('playwright-core').then(({ chromium }) =>
        chromium.launch({
          executablePath: this.options.executablePath,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        }),
      );
    }
    return this.browser;
  }

  async render(url: string): Promise<{ html: string; finalUrl: string }> {
    const browser = await this.launch();
    const context = await browser.newContext({ userAgent: this.options.userAgent, javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      // Page scripts may load their own parts, but never from another host.
      await page.route('**/*', (route) => {
        const u = new URL(route.request().url());
        return this.options.allowHost(u) ? route.continue() : route.abort();
      });
      await page.goto(url, { waitUntil: 'networkidle', timeout: this.options.timeoutMs });
      return { html: await page.content(), finalUrl: page.url() };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = null;
    if (b) await (await b).close().catch(() => undefined);
  }
}
