import type { SearchRow } from '../matching/choose-result';
import type { RequestSchedule } from '../repositories/host-schedule.repository';
import type { Clock } from './clock';
import {
  PageParseError,
  SEARCH_PAGE_SELECTOR,
  TRACKLIST_PAGE_SELECTOR,
  classifyPage,
  parseSearchPage,
  parseTracklistPage,
  type ScrapedTracklist,
} from './page-parsers';

export interface SiteClientConfig {
  /** Where the site is, e.g. https://www.1001tracklists.com. */
  baseUrl: string;
  /** The only hosts fetched; checked on every request, every redirect and every result link. */
  allowedHosts: readonly string[];
  userAgent: string;
  /** Spacing between requests to the host, drawn between min and max for each request. */
  minSpacingMs: number;
  maxSpacingMs: number;
  /** After a refusal: base × 2^refusals, up to max. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Told when a tracklist page was fetched but could not be read (the site's layout may have changed). */
  onParseFailure?: () => void;
}

/** Renders a JavaScript page in a browser (off unless configured). */
export interface PageRenderer {
  render(url: string): Promise<{ html: string; finalUrl: string }>;
}

/** Nothing usable came back, but it may next time: the look-up record backs off. */
export interface Transient {
  kind: 'transient';
  reason: string;
}
/** A challenge or a script shell that could not be rendered: never reported as "not found". */
export interface Blocked {
  kind: 'blocked';
  reason: string;
}
export type SearchOutcome = { kind: 'rows'; rows: SearchRow[] } | Transient | Blocked;
export type TracklistOutcome =
  | { kind: 'found'; url: string; tracklist: ScrapedTracklist }
  | { kind: 'not-found'; reason: string }
  | { kind: 'invalid'; reason: string }
  | Transient
  | Blocked;

/** A refusal to fetch a URL outside the allowed hosts (a programming or data error, never retried). */
export class HostNotAllowedError extends Error {
  override name = 'HostNotAllowedError';
}

interface Fetched {
  status: number;
  html: string;
  url: string;
}

const REFUSAL = (status: number) => status === 403 || status === 429 || status >= 500;

/**
 * The 1001Tracklists client. Every request waits for its slot in the host's shared schedule, names Crateflow in
 * its User-Agent, has a time limit, and follows redirects only within the allowed hosts. Pages are classified
 * before they are read: a challenge is `blocked`, a script shell is rendered when a renderer is configured and
 * `blocked` otherwise; a tracklist page is read all or nothing.
 */
export class TracklistsSiteClient {
  private readonly allowed: Set<string>;

  constructor(
    private readonly config: SiteClientConfig,
    private readonly schedule: RequestSchedule,
    private readonly clock: Clock,
    private readonly renderer: PageRenderer | null = null,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly random: () => number = Math.random,
  ) {
    this.allowed = new Set(config.allowedHosts.map((h) => h.toLowerCase()));
    const base = new URL(config.baseUrl);
    if (!this.isAllowed(base)) throw new HostNotAllowedError(`${base.host} is not an allowed tracklist host`);
  }

  isAllowed(url: URL): boolean {
    return (url.protocol === 'https:' || url.protocol === 'http:') && this.allowed.has(url.hostname.toLowerCase());
  }

  async search(query: string): Promise<SearchOutcome> {
    const url = new URL('/search/result.php', this.config.baseUrl);
    const body = new URLSearchParams({ main_search: query, search_selection: '9' });
    const got = await this.request(url, { method: 'POST', body });
    if ('kind' in got) return got;
    if (got.status !== 200) return { kind: 'transient', reason: `the search answered HTTP ${got.status}` };
    const kind = classifyPage(got.html, SEARCH_PAGE_SELECTOR);
    if (kind === 'challenge') return { kind: 'blocked', reason: 'the search answered with a Cloudflare challenge' };
    if (kind === 'shell') return { kind: 'blocked', reason: 'the search answered with a page without results or form' };
    return { kind: 'rows', rows: parseSearchPage(got.html, got.url, (u) => this.isAllowed(u)) };
  }

  async tracklist(address: string): Promise<TracklistOutcome> {
    let url: URL;
    try {
      url = new URL(address, this.config.baseUrl);
    } catch {
      return { kind: 'invalid', reason: `not a URL: ${address.slice(0, 200)}` };
    }
    if (!this.isAllowed(url)) return { kind: 'invalid', reason: `${url.hostname} is not an allowed tracklist host` };
    if (!url.pathname.includes('/tracklist/')) return { kind: 'invalid', reason: 'not a tracklist page address' };
    const got = await this.request(url, { method: 'GET' });
    if ('kind' in got) return got;
    if (got.status !== 200) return { kind: 'not-found', reason: `the page answered HTTP ${got.status}` };
    let page = got;
    let kind = classifyPage(page.html, TRACKLIST_PAGE_SELECTOR);
    if (kind !== 'content' && this.renderer) {
      const rendered = await this.render(url);
      if ('kind' in rendered) return rendered;
      page = rendered;
      kind = classifyPage(page.html, TRACKLIST_PAGE_SELECTOR);
    }
    if (kind === 'challenge') {
      return { kind: 'blocked', reason: 'the tracklist page is behind a Cloudflare challenge' + this.hint() };
    }
    if (kind === 'shell') {
      return { kind: 'blocked', reason: 'the tracklist page is an empty shell rendered by JavaScript' + this.hint() };
    }
    try {
      return { kind: 'found', url: page.url, tracklist: parseTracklistPage(page.html) };
    } catch (e) {
      if (e instanceof PageParseError) {
        this.config.onParseFailure?.();
        return { kind: 'transient', reason: `the page could not be read: ${e.message}` };
      }
      throw e;
    }
  }

  private hint(): string {
    return this.renderer ? ' (also after rendering)' : ' (browser rendering is off)';
  }

  private async render(url: URL): Promise<Fetched | Transient | Blocked> {
    await this.waitForSlot(url.hostname);
    try {
      const r = await this.renderer!.render(url.toString());
      const final = new URL(r.finalUrl);
      if (!this.isAllowed(final))
        return { kind: 'blocked', reason: `rendering ended on ${final.hostname}, not an allowed host` };
      return { status: 200, html: r.html, url: final.toString() };
    } catch (e) {
      return { kind: 'transient', reason: `rendering failed: ${(e as Error).message}` };
    }
  }

  private async waitForSlot(host: string): Promise<void> {
    const { minSpacingMs, maxSpacingMs } = this.config;
    const spacing = Math.round(minSpacingMs + this.random() * Math.max(0, maxSpacingMs - minSpacingMs));
    const slot = await this.schedule.reserve(host, this.clock.now(), spacing);
    const wait = slot - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }

  private async request(
    first: URL,
    init: { method: 'GET' | 'POST'; body?: URLSearchParams },
  ): Promise<Fetched | Transient | Blocked> {
    let url = first;
    let method = init.method;
    let body = init.body;
    for (let hop = 0; hop <= this.config.maxRedirects; hop++) {
      if (!this.isAllowed(url)) {
        return { kind: 'blocked', reason: `redirected to ${url.hostname}, which is not an allowed tracklist host` };
      }
      await this.waitForSlot(url.hostname);
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.config.timeoutMs),
          headers: {
            'user-agent': this.config.userAgent,
            accept: 'text/html,application/xhtml+xml',
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
        });
      } catch (e) {
        const err = e as Error;
        const reason = err.name === 'TimeoutError' ? `no answer within ${this.config.timeoutMs} ms` : err.message;
        return { kind: 'transient', reason: `request to ${url.hostname} failed: ${reason}` };
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        url = new URL(res.headers.get('location')!, url);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      let html: string;
      try {
        html = await readCapped(res, 5 * 1024 * 1024);
      } catch (e) {
        return { kind: 'transient', reason: `reading the answer failed: ${(e as Error).message}` };
      }
      if (REFUSAL(res.status)) {
        await this.schedule.refused(
          url.hostname,
          this.clock.now(),
          this.config.backoffBaseMs,
          this.config.backoffMaxMs,
        );
        if (classifyPage(html, 'body *:not(*)') === 'challenge') {
          return { kind: 'blocked', reason: `HTTP ${res.status}: a Cloudflare challenge` };
        }
        return { kind: 'transient', reason: `HTTP ${res.status} from ${url.hostname}` };
      }
      await this.schedule.answered(url.hostname);
      if (res.status !== 200 && res.status !== 404 && res.status !== 410)
        return { kind: 'transient', reason: `HTTP ${res.status} from ${url.hostname}` };
      return { status: res.status, html, url: url.toString() };
    }
    return { kind: 'transient', reason: `more than ${this.config.maxRedirects} redirects` };
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > maxBytes) throw new Error(`the page is larger than ${maxBytes} bytes`);
  return new TextDecoder('utf-8').decode(buf);
}
