import { readCompanions } from './companions';
import { dateFromTag, findDate } from './dates';
import type { Category, Facts, ProposalContext, RuleProposal } from './facts';
import { parseFolders, parseName, type ParsedName } from './name-parser';
import { DEFAULT_TEMPLATES, renderTemplate, type Templates } from './templates';

const FESTIVALS: [RegExp, string][] = [
  [/\btomorrowland\b/i, 'Tomorrowland'],
  [/\b(?:ultra music festival|ultra miami|ultra europe|umf)\b/i, 'Ultra Music Festival'],
  [/\b(?:edc|electric daisy carnival)\b/i, 'EDC'],
  [/\bawakenings\b/i, 'Awakenings'],
  [/\bmysteryland\b/i, 'Mysteryland'],
  [/\bdefqon\.?\s?1\b/i, 'Defqon.1'],
  [/\bcreamfields\b/i, 'Creamfields'],
  [/\btime ?warp\b/i, 'Time Warp'],
  [/\bs[oó]nar\b/i, 'Sónar'],
  [/\bmovement (?:festival|detroit)\b/i, 'Movement'],
  [/\bcoachella\b/i, 'Coachella'],
  [/\bglastonbury\b/i, 'Glastonbury'],
  [/\bdekmantel\b/i, 'Dekmantel'],
  [/\bnature one\b/i, 'Nature One'],
  [/\bmayday\b/i, 'Mayday'],
  [/\bparookaville\b/i, 'Parookaville'],
  [/\buntold\b/i, 'Untold'],
  [/\bexit festival\b/i, 'EXIT'],
  [/\bsziget\b/i, 'Sziget'],
  [/\blollapalooza\b/i, 'Lollapalooza'],
  [/\blove ?parade\b/i, 'Love Parade'],
  [/\bstreet ?parade\b/i, 'Street Parade'],
  [/\bdance valley\b/i, 'Dance Valley'],
  [/\bsensation\b/i, 'Sensation'],
  [/\belectric love\b/i, 'Electric Love'],
  [/\b(?:ade|amsterdam dance event)\b/i, 'ADE'],
  [/\btransmission\b/i, 'Transmission'],
  [/\bdreamstate\b/i, 'Dreamstate'],
  [/\bkappa futur ?festival\b/i, 'Kappa FuturFestival'],
  [/\bprimavera sound\b/i, 'Primavera Sound'],
  [/\bburning man\b/i, 'Burning Man'],
  [/\bboom festival\b/i, 'Boom Festival'],
  [/\bozora\b/i, 'Ozora'],
  [/\bairbeat one\b/i, 'Airbeat One'],
];

/** A festival named in an event text, by its usual name; also "<Name> Festival" generally. */
export function festivalOf(event: string): string | undefined {
  for (const [re, name] of FESTIVALS) if (re.test(event)) return name;
  const generic = /^(.{2,40}?\b(?:festival|fest))\b/i.exec(event);
  return generic ? generic[1].trim() : undefined;
}

const B2B = /\s+(?:b2b|b3b|vs\.?|versus)\s+|\s+&\s+/i;
const MIX_GENRES = /\b(?:dj ?mix|live|mix(?:tape)?|set|radio ?show|podcast)\b/i;
/** A recording this long with no album or track number is a set, whatever its name says. */
const MIX_MIN_SEC = 20 * 60;

function moreSpecific(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  const known = (d: string) => d.split('.').filter((p) => p !== 'xx').length;
  return known(b) > known(a) && b.startsWith(a.slice(0, 4)) ? b : a;
}

const clean = (s: string | undefined): string | undefined => {
  if (typeof s !== 'string') return undefined;
  const t = s.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
};

/**
 * The built-in rule engine: a pure function of a file's context. It proposes from tags first, then from
 * companion texts, fingerprint siblings, the file name and its folders; it never invents an artist, and a
 * file it knows nothing about keeps its name and folder with low confidence.
 */
export class RuleEngine {
  constructor(private readonly templates: Templates = DEFAULT_TEMPLATES) {}

  propose(ctx: ProposalContext): RuleProposal {
    const ext = ctx.file.ext;
    const stem = ctx.file.name.endsWith(`.${ext}`) ? ctx.file.name.slice(0, -(ext.length + 1)) : ctx.file.name;
    const name = parseName(stem);
    const dirs = ctx.file.path.split('/').slice(0, -1);
    const tags = ctx.tags ?? {};
    const comp = readCompanions(ctx.companions ?? []);
    const sources: string[] = [];
    const facts: Facts = {};

    // Artist and title: tags, then a tagged sibling of the same recording, then companions, then the name.
    const tagArtist = clean(tags.artist);
    const tagTitle = clean(tags.title);
    const sibling = (ctx.siblings ?? []).find((s) => clean(s.artist) && clean(s.title));
    let confidence = 0;
    if (tagArtist && tagTitle) {
      facts.artist = tagArtist;
      facts.title = tagTitle;
      confidence = 0.9;
      sources.push('tags');
    } else if (!tagArtist && !tagTitle && sibling) {
      facts.artist = clean(sibling.artist);
      facts.title = clean(sibling.title);
      facts.album = clean(sibling.album);
      confidence = 0.8;
      sources.push(`the tags of the same recording at ${sibling.path}`);
    } else if (clean(comp.artist) && (clean(comp.title) || name.event || name.show)) {
      facts.artist = clean(comp.artist);
      facts.title = clean(comp.title);
      confidence = 0.75;
      sources.push('the companion text');
    } else {
      facts.artist = tagArtist ?? name.artist;
      facts.title = tagTitle ?? name.title;
      if (facts.artist || facts.title) {
        confidence = name.scene ? 0.75 : 0.7;
        sources.push(
          tagArtist || tagTitle ? 'tags and the file name' : name.scene ? 'the scene name' : 'the file name',
        );
      }
    }

    facts.albumArtist = clean(tags.albumArtist) ?? facts.albumArtist;
    if (facts.albumArtist && /^(various|various artists|va)$/i.test(facts.albumArtist))
      facts.albumArtist = 'Various Artists';
    facts.album ??= clean(tags.album);
    facts.label = clean(tags.label) ?? clean(comp.label);
    if (tags.trackNumber && tags.trackNumber > 0 && tags.trackNumber < 1000) facts.trackNumber = tags.trackNumber;
    else if (name.trackNumber !== undefined && name.trackNumber > 0) facts.trackNumber = name.trackNumber;

    // An album track whose name carries only a title: artist and album from its folders.
    if (facts.trackNumber !== undefined && (!facts.artist || !facts.album)) {
      const folder = parseFolders(dirs);
      if (!facts.artist && folder.artist && facts.title) {
        facts.artist = folder.artist;
        confidence = Math.max(confidence, 0.65);
        sources.push('the album folder');
      }
      if (!facts.album && folder.album && facts.artist) facts.album = folder.album;
      if (folder.albumArtist) facts.albumArtist ??= folder.albumArtist;
      if (folder.year) facts.year ??= folder.year;
    }

    // Live facts: from the name, from a title or album tag that reads like one, and from companions.
    const titleText = tagTitle ?? (sources.includes('the companion text') ? clean(comp.title) : undefined);
    const titleParse: ParsedName | null = titleText ? parseName(titleText) : null;
    facts.event = clean(name.event) ?? clean(titleParse?.event) ?? clean(comp.event);
    facts.venue = clean(comp.venue);
    facts.show = name.show ?? titleParse?.show;
    facts.episode = name.episode ?? titleParse?.episode;
    if (!facts.event && !facts.show && facts.album && /\b(?:live|festival)\b/i.test(facts.album)) {
      facts.event = facts.album.replace(/^live\s*(?:@|at)\s*/i, '');
    }

    // Dates: the most specific of name, tags and companions.
    let date: string | undefined;
    let ambiguous = false;
    if (name.date) {
      date = name.date.date;
      ambiguous = name.date.ambiguous;
    }
    if (titleParse?.date && !date) {
      date = titleParse.date.date;
      ambiguous = titleParse.date.ambiguous;
    }
    const compDate = comp.date ? findDate(comp.date) : null;
    if (compDate) {
      const better = moreSpecific(date, compDate.date);
      if (better !== date) {
        date = better;
        ambiguous = compDate.ambiguous;
      }
    }
    const tagDate = dateFromTag(tags.date) ?? dateFromTag(tags.year);
    const better = moreSpecific(date, tagDate);
    if (better !== date) {
      date = better;
      ambiguous = false;
    }
    if (date) facts.date = date;
    if (ambiguous) facts.dateAmbiguous = true;
    const year = date && !date.startsWith('xx') ? date.slice(0, 4) : undefined;
    if (year) facts.year ??= year;

    // What kind of recording is it?
    const duration = ctx.stream?.durationSec;
    const genreSaysMix = (tags.genres ?? []).some((g) => MIX_GENRES.test(g));
    const isAlbumTrack = facts.trackNumber !== undefined && !!facts.album;
    const long = duration !== undefined && duration >= MIX_MIN_SEC && !isAlbumTrack;
    const mix =
      !!facts.event ||
      !!facts.show ||
      name.mixSignal ||
      !!titleParse?.mixSignal ||
      long ||
      (genreSaysMix && !isAlbumTrack) ||
      (!!ctx.tracklist && ctx.tracklist.tracks.length > 1);
    let category: Category;
    // A long recording named only "<someone> <date>" is that someone's set (the name says who, not a guess).
    if (mix && !facts.artist && facts.title && name.date && !name.event && !name.show && !titleText) {
      facts.artist = facts.title;
      delete facts.title;
      confidence = 0.55;
      sources.push('the file name');
    }
    if (mix) {
      // In a set the "title" read from a name is the event: "Artist - Awakenings 2024".
      if (!facts.event && !facts.show && facts.title && !titleText) facts.event = facts.title;
      if (facts.show) category = 'radioshow';
      else if (facts.event && festivalOf(facts.event)) category = 'festival';
      else category = 'live';
      facts.festival = facts.event ? festivalOf(facts.event) : undefined;
      if (facts.artist) {
        const partners = facts.artist
          .split(B2B)
          .map((p) => p.trim())
          .filter(Boolean);
        if (partners.length > 1) facts.b2b = partners.slice(1);
      }
    } else if (facts.album && (facts.trackNumber !== undefined || !!clean(tags.album))) {
      category =
        facts.album.toLowerCase() === (facts.title ?? '').toLowerCase() || /\bsingle\b/i.test(facts.album)
          ? 'single'
          : 'album';
    } else if (facts.artist && facts.title) category = 'single';
    else category = 'unknown';
    facts.sourceType = category;

    for (const [k, v] of Object.entries(facts)) if (v === undefined) delete (facts as Record<string, unknown>)[k];

    const fallbacks: Record<Category, Category[]> = {
      festival: ['festival', 'live'],
      radioshow: ['radioshow', 'live'],
      live: ['live'],
      album: ['album', 'single'],
      single: ['single'],
      unknown: [],
    };
    for (const c of fallbacks[category]) {
      if (c === 'unknown') continue;
      // Never a proposal without an artist: that would be inventing one (or filing under nobody).
      if (!facts.artist) break;
      const rendered = renderTemplate(this.templates[c], facts, ext);
      if (!rendered) continue;
      let conf = confidence || 0.5;
      if (c !== category) conf -= 0.1;
      if (category === 'live' || category === 'festival' || category === 'radioshow') {
        if (!facts.date && !facts.event && !facts.show) conf -= 0.2;
        else if (facts.date?.includes('xx')) conf -= 0.05;
      }
      if (facts.dateAmbiguous) conf -= 0.15;
      if (name.recased && sources.some((s) => s.includes('name'))) conf -= 0.05;
      const notes = [`${c} from ${sources.join(', ') || 'the file name'}`];
      if (facts.date) notes.push(`date ${facts.date}${facts.dateAmbiguous ? ' (day and month could be swapped)' : ''}`);
      if (facts.b2b) notes.push(`b2b with ${facts.b2b.join(', ')}`);
      return {
        category: c,
        facts: { ...facts, sourceType: c },
        folder: rendered.folder || null,
        name: rendered.name,
        confidence: Math.round(Math.max(0.05, Math.min(0.99, conf)) * 100) / 100,
        reason: notes.join('; '),
      };
    }
    return {
      category: 'unknown',
      facts: { ...facts, sourceType: 'unknown' },
      folder: null,
      name: ctx.file.name,
      confidence: 0.1,
      reason: facts.artist
        ? 'not enough known to fill a template; the name and folder stay'
        : 'no artist in the tags, companions, same-recording files or name; the name and folder stay',
    };
  }
}
