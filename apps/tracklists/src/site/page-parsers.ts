import * as cheerio from 'cheerio';
import type { SearchRow } from '../matching/choose-result';
import { extractDate } from '../query/dates';

/** What a fetched page is, before anything is read from it. */
export type PageKind = 'challenge' | 'shell' | 'content';

/** One track as a tracklist page lists it. Unknown ("ID") tracks have no artist or title. */
export interface ScrapedTrack {
  position: number;
  artist: string | null;
  title: string | null;
  remix: string | null;
  label: string | null;
  cueSec: number | null;
  unknown: boolean;
}

export interface ScrapedTracklist {
  title: string;
  artist: string | null;
  event: string | null;
  date: string | null;
  tracks: ScrapedTrack[];
}

/** A page that could not be read as what it claimed to be; nothing from it is kept. */
export class PageParseError extends Error {
  override name = 'PageParseError';
}

const CHALLENGE_MARKERS = [
  /<title>\s*just a moment/i,
  /challenge-platform/i,
  /cf-chl-/i,
  /cf_chl_/i,
  /attention required!\s*\|\s*cloudflare/i,
  /checking your browser before accessing/i,
  /id="challenge-form"/i,
];

/**
 * A Cloudflare challenge, a JavaScript shell without content (detail pages are rendered by scripts), or a page
 * with content. The caller says which content it expects through `contentSelector`.
 */
export function classifyPage(html: string, contentSelector: string): PageKind {
  if (CHALLENGE_MARKERS.some((re) => re.test(html))) return 'challenge';
  const $ = cheerio.load(html);
  if ($(contentSelector).length > 0) return 'content';
  return 'shell';
}

export const SEARCH_PAGE_SELECTOR = 'form input[name="main_search"], .bItm';
export const TRACKLIST_PAGE_SELECTOR = '[data-trno]';

function text(el: ReturnType<cheerio.CheerioAPI>): string {
  return el.text().replace(/\s+/g, ' ').trim();
}

/**
 * Search result rows (`.bItm`): the link to a tracklist, its title split into artist and event on " @ ", and
 * the date from `div[title="tracklist date"]`. Links are resolved against the page's URL and kept only when
 * `allowLink` accepts them (the host allow-list).
 */
export function parseSearchPage(html: string, pageUrl: string, allowLink: (url: URL) => boolean): SearchRow[] {
  const $ = cheerio.load(html);
  const rows: SearchRow[] = [];
  $('.bItm').each((_, item) => {
    const a = $(item).find("a[href*='/tracklist/']").first();
    const href = a.attr('href');
    if (!href) return;
    let url: URL;
    try {
      url = new URL(href, pageUrl);
    } catch {
      return;
    }
    if (!allowLink(url)) return;
    const title = text(a);
    if (!title) return;
    const at = title.indexOf(' @ ');
    const dateText = text($(item).find('div[title="tracklist date"]').first());
    const date = extractDate(dateText);
    rows.push({
      url: url.toString(),
      title,
      artist: at > 0 ? title.slice(0, at).trim() : null,
      event: at > 0 ? title.slice(at + 3).trim() : title,
      date: date && date.precision === 'day' ? date.value : null,
    });
  });
  return rows;
}

/** `H:MM:SS` or `MM:SS` only; anything else (a range, "w/", text) is no cue time. */
export function parseCue(value: string): number | null {
  const m = /^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const h = m[1] ? Number(m[1]) : 0;
  const mm = Number(m[2]);
  const ss = Number(m[3]);
  if (ss > 59 || (m[1] && mm > 59)) return null;
  return h * 3600 + mm * 60 + ss;
}

const ID_TEXT = /^(id|\?+|unknown)$/i;

/**
 * A tracklist page. Rows carry `data-trno` (position = value + 1). In `.trackValue`, the spans before the
 * literal "-" span are the artist(s), the first span after it the title, a parenthesised span the remix;
 * `.trackLabel` holds the label and `.cue` the cue time. "ID" stays as an unknown track.
 * All or nothing: a page without rows, or a row with neither artist nor title, throws PageParseError.
 */
export function parseTracklistPage(html: string): ScrapedTracklist {
  const $ = cheerio.load(html);
  const heading = text($('#pageTitle').first()) || text($('h1').first()) || text($('title').first());
  const rows = $('[data-trno]');
  if (rows.length === 0) throw new PageParseError('the page lists no tracks');
  const tracks: ScrapedTrack[] = [];
  rows.each((i, row) => {
    const trno = Number($(row).attr('data-trno'));
    if (!Number.isInteger(trno) || trno < 0 || trno > 10_000) {
      throw new PageParseError(`row ${i + 1} has no valid track number`);
    }
    const spans = $(row)
      .find('.trackValue')
      .first()
      .children('span')
      .toArray()
      .map((s) => text($(s)))
      .filter(Boolean);
    const dash = spans.indexOf('-');
    let artistParts: string[];
    let rest: string[];
    if (dash >= 0) {
      artistParts = spans.slice(0, dash);
      rest = spans.slice(dash + 1);
    } else {
      artistParts = [];
      rest = spans;
    }
    const titleText = rest.find((s) => !/^\(.*\)$/.test(s)) ?? null;
    const remixText = rest.find((s) => /^\(.*\)$/.test(s)) ?? null;
    const artistText = artistParts.join(' ').replace(/\s+/g, ' ').trim() || null;
    if (!artistText && !titleText) throw new PageParseError(`row ${i + 1} has neither artist nor title`);
    const artistUnknown = !artistText || ID_TEXT.test(artistText);
    const titleUnknown = !titleText || ID_TEXT.test(titleText);
    const label =
      text($(row).find('.trackLabel').first())
        .replace(/^\[|\]$/g, '')
        .trim() || null;
    tracks.push({
      position: trno + 1,
      artist: artistUnknown ? null : artistText,
      title: titleUnknown ? null : titleText,
      remix: remixText ? remixText.slice(1, -1).trim() || null : null,
      label: label && !ID_TEXT.test(label) ? label : null,
      cueSec: parseCue(text($(row).find('.cue').first())),
      unknown: artistUnknown && titleUnknown,
    });
  });
  const at = heading.indexOf(' @ ');
  const date = extractDate(heading);
  let event = at > 0 ? heading.slice(at + 3).trim() : null;
  if (event && date)
    event =
      event
        .replace(date.matched, '')
        .replace(/[\s,]+$/, '')
        .trim() || null;
  return {
    title: heading || 'Untitled tracklist',
    artist: at > 0 ? heading.slice(0, at).trim() : null,
    event,
    date: date?.value ?? null,
    tracks,
  };
}
