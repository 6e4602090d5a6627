import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { commonConfigShape } from '@crateflow/config';
import { RUNNER_VARIABLES } from '../runner/src/env';

/**
 * .env.example must list every variable a service reads, with the default the code really uses. Variables
 * come from two places: the zod shapes exported as `<name>ConfigShape` by every `*.config.ts` under apps/
 * and libs/ (plus the common shape and the host's HTTP_PORT), and direct `process.env.X` reads in non-test
 * source (a setting read outside a shape still has to be documented).
 */
const ROOT = path.resolve(__dirname, '..', '..');
/** Variables of the operating system and tooling, not Crateflow settings. */
const NOT_SETTINGS = new Set(['PATH', 'HOME', 'NODE_ENV', 'INIT_CWD', 'XDG_DATA_HOME', 'NO_COLOR', 'CI', 'TERM']);

function walk(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'test' || name === 'testing') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function sourceFiles(): string[] {
  return ['apps', 'libs'].flatMap((top) =>
    readdirSync(path.join(ROOT, top)).flatMap((pkg) => walk(path.join(ROOT, top, pkg, 'src'))),
  );
}

type Shape = Record<string, z.ZodType>;

/** Every `*ConfigShape` exported by a config module, by where it came from. */
function configShapes(): { origin: string; shape: Shape }[] {
  const shapes: { origin: string; shape: Shape }[] = [
    { origin: 'libs/config commonConfigShape', shape: commonConfigShape },
  ];
  for (const file of sourceFiles().filter((f) => f.endsWith('.config.ts'))) {
    const mod = require(file) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (name.endsWith('ConfigShape') && value && typeof value === 'object') {
        shapes.push({ origin: `${path.relative(ROOT, file)} ${name}`, shape: value as Shape });
      }
    }
  }
  return shapes;
}

function directEnvReads(): Map<string, string> {
  const reads = new Map<string, string>();
  for (const file of sourceFiles()) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /process\.env\.([A-Z][A-Z0-9_]*)|process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
    )) {
      const name = match[1] ?? match[2];
      if (!NOT_SETTINGS.has(name) && !reads.has(name)) reads.set(name, path.relative(ROOT, file));
    }
  }
  return reads;
}

/** `KEY=value` lines, and `# KEY=value` lines for settings without one default (shown commented out). */
function parseEnvExample(): Map<string, { value: string; commented: boolean }> {
  const entries = new Map<string, { value: string; commented: boolean }>();
  for (const line of readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[2], { value: match[3], commented: !!match[1] });
  }
  return entries;
}

describe('.env.example', () => {
  const example = parseEnvExample();
  const shapes = configShapes();

  it('finds the config shapes of the services', () => {
    const origins = shapes.map((s) => s.origin).join('\n');
    expect(origins).toContain('apps/gateway/src/gateway.config.ts gatewayConfigShape');
    expect(origins).toContain('apps/ingest/src/ingest.config.ts ingestConfigShape');
  });

  it('lists every variable of every config shape, the host and the runner', () => {
    const needed = new Map<string, string>();
    for (const { origin, shape } of shapes) for (const key of Object.keys(shape)) needed.set(key, origin);
    needed.set('HTTP_PORT', 'libs/service-host (per-service default port)');
    for (const key of RUNNER_VARIABLES) needed.set(key, 'tools/runner');
    const missing = [...needed].filter(([key]) => !example.has(key)).map(([key, origin]) => `${key} (from ${origin})`);
    expect(missing).toEqual([]);
  });

  it('lists every variable read directly from process.env', () => {
    const missing = [...directEnvReads()]
      .filter(([key]) => !example.has(key))
      .map(([key, file]) => `${key} (read in ${file})`);
    expect(missing).toEqual([]);
  });

  it('shows for each setting the default the code uses', () => {
    const wrong: string[] = [];
    for (const { origin, shape } of shapes) {
      for (const [key, schema] of Object.entries(shape)) {
        const entry = example.get(key);
        if (!entry || entry.commented) continue;
        const fallback = schema.safeParse(undefined);
        const listed = schema.safeParse(entry.value === '' ? undefined : entry.value);
        if (!fallback.success) {
          // A required setting (no default) is listed empty, for the person to fill in.
          if (entry.value !== '')
            wrong.push(`${key}: required (no default) but listed as "${entry.value}" (${origin})`);
          continue;
        }
        if (!listed.success || JSON.stringify(listed.data) !== JSON.stringify(fallback.data)) {
          wrong.push(`${key}: listed "${entry.value}", default is ${JSON.stringify(fallback.data)} (${origin})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('explains every variable with a comment line above it', () => {
    const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
    const bare = lines
      .map((line, i) => ({ line: line.trim(), before: lines[i - 1]?.trim() ?? '' }))
      .filter(({ line }) => /^(#\s*)?[A-Z][A-Z0-9_]*=/.test(line))
      .filter(({ before }) => !before.startsWith('#') || /^#\s*[A-Z][A-Z0-9_]*=/.test(before))
      .map(({ line }) => line);
    expect(bare).toEqual([]);
  });
});
