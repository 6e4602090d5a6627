import { performance } from 'node:perf_hooks';
import type { ProposalContext } from '../../apps/proposer/src/rules/facts';
import { RuleEngine } from '../../apps/proposer/src/rules/rule-engine';
import { LABELLED, type LabelledCase } from './labelled';

/**
 * The built-in proposal rules on a labelled set of messy names (bench/proposals/labelled.ts): the share
 * of exactly right names and of right folders, and proposals per second on one core. The reference,
 * measured in the same run, is the naive rule most tools use ("Artist - Title" split of the file name,
 * folder music/<artist>), so the ratio says what the rules add.
 *
 *   npm run bench -- proposals            (BENCH_SECONDS=2 by default for the speed part)
 */
function contextOf(c: LabelledCase, i: number): ProposalContext {
  const name = c.path.split('/').pop()!;
  const dot = name.lastIndexOf('.');
  return {
    file: {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      path: c.path,
      name,
      ext: name.slice(dot + 1),
      kind: 'music',
    },
    tags: (c.tags ?? {}) as ProposalContext['tags'],
    stream: c.durationSec ? { durationSec: c.durationSec } : {},
    companions: c.companions ?? [],
    siblings: c.siblings ?? [],
  };
}

function naive(ctx: ProposalContext): { folder: string | null; name: string } {
  const stem = ctx.file.name.slice(0, -(ctx.file.ext.length + 1));
  const [artist, ...rest] = stem.split(' - ');
  if (!rest.length) return { folder: null, name: ctx.file.name };
  return { folder: `music/${artist}`, name: `${artist} - ${rest.join(' - ')}.${ctx.file.ext}` };
}

function score(propose: (ctx: ProposalContext) => { folder: string | null; name: string }, verbose: boolean) {
  let names = 0;
  let folders = 0;
  const misses: string[] = [];
  const byFamily = new Map<string, { n: number; ok: number }>();
  LABELLED.forEach((c, i) => {
    const r = propose(contextOf(c, i));
    const nameOk = r.name === c.expected.name;
    const folderOk = r.folder === c.expected.folder;
    if (nameOk) names++;
    if (folderOk) folders++;
    const f = byFamily.get(c.family) ?? { n: 0, ok: 0 };
    f.n++;
    if (nameOk && folderOk) f.ok++;
    byFamily.set(c.family, f);
    if (verbose && !(nameOk && folderOk)) {
      misses.push(
        `  ${c.path}\n    got      ${r.folder ?? '(stay)'} | ${r.name}\n    expected ${c.expected.folder ?? '(stay)'} | ${c.expected.name}`,
      );
    }
  });
  return { names: names / LABELLED.length, folders: folders / LABELLED.length, misses, byFamily };
}

function speed(propose: (ctx: ProposalContext) => unknown, seconds: number): number {
  const contexts = LABELLED.map(contextOf);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const ctx of contexts) propose(ctx);
    n += contexts.length;
  }
  return n / seconds;
}

const engine = new RuleEngine();
const verbose = process.argv.includes('--verbose');
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const ours = score((ctx) => engine.propose(ctx), verbose);
const reference = score(naive, false);
const oursSpeed = speed((ctx) => engine.propose(ctx), seconds);
const refSpeed = speed(naive, Math.min(seconds, 1));
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(`labelled cases: ${LABELLED.length} in ${ours.byFamily.size} families`);
console.log(`exact names:   ${pct(ours.names)} (reference naive split: ${pct(reference.names)}; aim ≥ 85 %)`);
console.log(`right folders: ${pct(ours.folders)} (reference: ${pct(reference.folders)}; aim ≥ 90 %)`);
console.log(
  `proposals/s on one core: ${Math.round(oursSpeed)} (reference: ${Math.round(refSpeed)}; ratio ${(oursSpeed / refSpeed).toFixed(3)}; aim ≥ 2,000)`,
);
for (const [family, f] of ours.byFamily) console.log(`  ${family.padEnd(20)} ${f.ok}/${f.n}`);
if (verbose && ours.misses.length) console.log(`misses:\n${ours.misses.join('\n')}`);
