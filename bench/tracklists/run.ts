/**
 * Query derivation and result choice on a labelled set (labelled-sets.txt: 100 set names as archives name them,
 * each with the search rows 1001Tracklists might return and the row a careful person would link, or none).
 *
 * Crateflow's side: deriveQuery + chooseResult, exactly as the tracklists service runs them. Reference, measured
 * in the same run: the naive approach of the original project's plan (token_set_ratio of the raw file name
 * against each row's title, link at >= 90 when 10 points ahead). Prints precision and recall of automatic links
 * for both and the ratio of their F1 scores. Runs in well under a second; no settings.
 *
 *   node -r @swc-node/register bench/tracklists/run.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { token_set_ratio } from 'fuzzball';
import { chooseResult, type SearchRow } from '../../apps/tracklists/src/matching/choose-result';
import { deriveQuery } from '../../apps/tracklists/src/query/derive-query';

interface LabelledCase {
  name: string;
  expected: number | null;
  rows: SearchRow[];
}

function load(): LabelledCase[] {
  const text = readFileSync(path.join(__dirname, 'labelled-sets.txt'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((line, i) => {
      const [name, expected, rowsText] = line.split(' | ');
      const rows = rowsText.split(';').map((r, j) => {
        const [artist, event, date] = r.split(' @ ').map((s) => s.trim());
        return {
          url: `https://www.1001tracklists.com/tracklist/${i}x${j}/row.html`,
          title: `${artist} @ ${event}`,
          artist,
          event,
          date: date || null,
        };
      });
      return { name: name.trim(), expected: expected.trim() === '-' ? null : Number(expected), rows };
    });
}

type Linker = (c: LabelledCase) => number | null;

const crateflow: Linker = (c) => {
  const choice = chooseResult(deriveQuery(c.name), c.rows);
  return choice.autoLink && choice.winner ? c.rows.indexOf(choice.winner.row) : null;
};

const naive: Linker = (c) => {
  const scored = c.rows
    .map((r, i) => ({ i, score: token_set_ratio(c.name.replace(/\.[^.]+$/, ''), r.title) }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  return best && best.score >= 90 && best.score - (second?.score ?? 0) >= 10 ? best.i : null;
};

function measure(cases: LabelledCase[], link: Linker, verbose: boolean) {
  let linked = 0;
  let correct = 0;
  const linkable = cases.filter((c) => c.expected !== null).length;
  for (const c of cases) {
    const got = link(c);
    if (got === null) {
      if (verbose && c.expected !== null) console.log(`  missed   ${c.name}`);
      continue;
    }
    linked++;
    if (got === c.expected) correct++;
    else if (verbose) console.log(`  WRONG    ${c.name} -> ${c.rows[got].title} ${c.rows[got].date ?? ''}`);
  }
  const precision = linked ? correct / linked : 1;
  const recall = linkable ? correct / linkable : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { linked, correct, linkable, precision, recall, f1 };
}

const cases = load();
const verbose = process.argv.includes('--verbose');
if (verbose) console.log('Crateflow misses and mistakes:');
const ours = measure(cases, crateflow, verbose);
const ref = measure(cases, naive, false);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`${cases.length} labelled sets, ${ours.linkable} with a right row`);
console.log(
  `crateflow  links ${ours.linked}, right ${ours.correct}: precision ${pct(ours.precision)}, recall ${pct(ours.recall)}`,
);
console.log(
  `naive ref  links ${ref.linked}, right ${ref.correct}: precision ${pct(ref.precision)}, recall ${pct(ref.recall)}`,
);
console.log(`F1 ratio crateflow / naive: ${(ours.f1 / (ref.f1 || Number.EPSILON)).toFixed(2)}`);
