import { z } from 'zod';
import { sanitizeComponentText } from '@crateflow/contracts';
import type { Category, Facts } from './facts';

/**
 * Name and folder templates. A template is text with `{Placeholder}`s; `{A|B}` takes the first of A and B
 * that is known; `[ ... ]` is an optional group, rendered only when every placeholder inside it is known.
 * A required placeholder that is unknown makes the template not apply (the engine then tries a simpler
 * category, and finally keeps the file's name and folder). Folder templates use `/` between components.
 */
export const PLACEHOLDERS = [
  'Artist',
  'Album Artist',
  'Title',
  'Album',
  'Track #',
  'Disc #',
  'Year',
  'YYYY.MM.DD',
  'Venue',
  'Event',
  'Festival',
  'Show',
  'Episode',
  'Label',
  'ext',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface CategoryTemplate {
  folder: string;
  name: string;
}
export type Templates = Record<Exclude<Category, 'unknown'>, CategoryTemplate>;

export const DEFAULT_TEMPLATES: Templates = {
  album: { folder: 'music/{Album Artist}/{Album}', name: '{Artist} - [{Track #} - ]{Title}.{ext}' },
  single: { folder: 'music/{Artist}', name: '{Artist} - {Title}.{ext}' },
  live: {
    folder: 'performances/artists/{Artist}',
    name: '{Artist} - Live[ @ {Venue|Event}][ {YYYY.MM.DD}].{ext}',
  },
  festival: {
    folder: 'performances/festivals/{Festival} {Year}',
    name: '{Artist} - Live @ {Venue|Event}[ {YYYY.MM.DD}].{ext}',
  },
  radioshow: {
    folder: 'performances/radioshows/{Show}',
    name: '{Artist} - {Show}[ {Episode}][ {YYYY.MM.DD}].{ext}',
  },
};

type Token =
  { kind: 'text'; text: string } | { kind: 'field'; names: Placeholder[] } | { kind: 'group'; tokens: Token[] };

/** Parses a template; throws an Error that says what is wrong (used at start-up). */
export function parseTemplate(template: string): Token[] {
  let i = 0;
  const parse = (inGroup: boolean): Token[] => {
    const out: Token[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (i < template.length) {
      const c = template[i];
      if (c === '{') {
        const end = template.indexOf('}', i);
        if (end < 0) throw new Error(`unclosed "{" in "${template}"`);
        const names = template
          .slice(i + 1, end)
          .split('|')
          .map((n) => n.trim());
        for (const n of names) {
          if (!(PLACEHOLDERS as readonly string[]).includes(n)) {
            throw new Error(`unknown placeholder {${n}} in "${template}" (known: ${PLACEHOLDERS.join(', ')})`);
          }
        }
        flush();
        out.push({ kind: 'field', names: names as Placeholder[] });
        i = end + 1;
      } else if (c === '[') {
        flush();
        i++;
        out.push({ kind: 'group', tokens: parse(true) });
      } else if (c === ']') {
        if (!inGroup) throw new Error(`"]" without "[" in "${template}"`);
        flush();
        i++;
        return out;
      } else if (c === '}') {
        throw new Error(`"}" without "{" in "${template}"`);
      } else {
        text += c;
        i++;
      }
    }
    if (inGroup) throw new Error(`unclosed "[" in "${template}"`);
    flush();
    return out;
  };
  return parse(false);
}

/** Checks a whole set of templates; returns the problems (empty when fine). */
export function templateProblems(templates: Templates): string[] {
  const problems: string[] = [];
  for (const [category, t] of Object.entries(templates)) {
    for (const part of ['folder', 'name'] as const) {
      try {
        parseTemplate(t[part]);
      } catch (e) {
        problems.push(`${category}.${part}: ${(e as Error).message}`);
      }
    }
    if (!t.name.endsWith('.{ext}')) problems.push(`${category}.name must end with ".{ext}" (the extension is kept)`);
    if (t.name.includes('/')) problems.push(`${category}.name must not contain "/"`);
    if (t.folder.startsWith('/') || /(^|\/)\.\.?(\/|$)/.test(t.folder) || t.folder.includes('\\')) {
      problems.push(`${category}.folder must be relative, "/"-separated, without "." or ".." components`);
    }
  }
  return problems;
}

export const TemplatesSchema = z
  .object(
    Object.fromEntries(
      Object.keys(DEFAULT_TEMPLATES).map((k) => [
        k,
        z
          .object({ folder: z.string().min(1).max(500), name: z.string().min(1).max(500) })
          .partial()
          .optional(),
      ]),
    ),
  )
  .strict();

/** Templates from the PROPOSER_TEMPLATES setting (JSON, any subset of categories and parts) over the defaults. */
export function templatesFrom(json: string | undefined): Templates {
  if (!json || !json.trim()) return DEFAULT_TEMPLATES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`PROPOSER_TEMPLATES is not JSON: ${(e as Error).message}`);
  }
  const parsed = TemplatesSchema.parse(raw) as Partial<Record<keyof Templates, Partial<CategoryTemplate>>>;
  const merged = Object.fromEntries(
    (Object.keys(DEFAULT_TEMPLATES) as (keyof Templates)[]).map((k) => [k, { ...DEFAULT_TEMPLATES[k], ...parsed[k] }]),
  ) as Templates;
  const problems = templateProblems(merged);
  if (problems.length) throw new Error(`PROPOSER_TEMPLATES: ${problems.join('; ')}`);
  return merged;
}

const compiled = new Map<string, Token[]>();
function tokensOf(template: string): Token[] {
  let t = compiled.get(template);
  if (!t) {
    t = parseTemplate(template);
    compiled.set(template, t);
  }
  return t;
}

/** The value of one placeholder, sanitised so that it can only ever be text inside one component. */
export function placeholderValue(name: Placeholder, facts: Facts, ext: string): string | undefined {
  const raw = ((): string | number | undefined => {
    switch (name) {
      case 'Artist':
        return facts.artist;
      case 'Album Artist':
        return facts.albumArtist ?? facts.artist;
      case 'Title':
        return facts.title;
      case 'Album':
        return facts.album;
      case 'Track #':
        return facts.trackNumber !== undefined ? String(facts.trackNumber).padStart(2, '0') : undefined;
      case 'Disc #':
        return facts.discNumber;
      case 'Year':
        return facts.year ?? (facts.date && !facts.date.startsWith('xx') ? facts.date.slice(0, 4) : undefined);
      case 'YYYY.MM.DD':
        return facts.date;
      case 'Venue':
        return facts.venue;
      case 'Event':
        return facts.event;
      case 'Festival':
        return facts.festival;
      case 'Show':
        return facts.show;
      case 'Episode':
        return facts.episode;
      case 'Label':
        return facts.label;
      case 'ext':
        return ext;
    }
  })();
  if (raw === undefined || raw === null) return undefined;
  const s = name === 'ext' ? String(raw) : sanitizeComponentText(String(raw));
  return s === '' ? undefined : s;
}

function render(tokens: Token[], facts: Facts, ext: string): string | undefined {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'text') out += t.text;
    else if (t.kind === 'field') {
      let v: string | undefined;
      for (const n of t.names) {
        v = placeholderValue(n, facts, ext);
        if (v !== undefined) break;
      }
      if (v === undefined) return undefined;
      out += v;
    } else {
      out += render(t.tokens, facts, ext) ?? '';
    }
  }
  return out;
}

/** Renders a category's folder and name; undefined when a required placeholder is unknown. */
export function renderTemplate(
  t: CategoryTemplate,
  facts: Facts,
  ext: string,
): { folder: string; name: string } | undefined {
  const folder = render(tokensOf(t.folder), facts, ext);
  const name = render(tokensOf(t.name), facts, ext);
  if (folder === undefined || name === undefined) return undefined;
  return { folder: folder.replace(/\s+/g, ' ').trim(), name: name.replace(/\s+/g, ' ').trim() };
}
