import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  allSubjects,
  Consumers,
  FILE_STATES,
  OUTCOME_STATUS,
  PIPELINE_STAGES,
  SERVICES,
  STAGE_STATUSES,
  Streams,
  TABLE_OWNERS,
  lifecycleTriggers,
  transitionFor,
  triggerName,
  type ConsumerDeclaration,
  type FileState,
  type LifecycleTrigger,
  type SubjectDefinition,
} from '@crateflow/contracts';

/**
 * Writes the parts of docs/architecture.md that restate libs/contracts (subjects, consumers, the state
 * machine, statuses, table owners) between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`
 * markers, so the document cannot drift from the code. A test fails when the file is out of date.
 *
 *   node -r @swc-node/register tools/scripts/gen-architecture-docs.ts          # rewrite the sections
 *   node -r @swc-node/register tools/scripts/gen-architecture-docs.ts --check  # exit 1 when stale
 */
export const ARCHITECTURE_DOC = path.resolve(__dirname, '..', '..', 'docs', 'architecture.md');

const STAGE_NAMES: readonly string[] = PIPELINE_STAGES;

/**
 * Who publishes a subject. Contracts declare consumers, not publishers, so this follows the naming scheme:
 * a stage publishes its own `file.<stage>.*`, ingest publishes `scan.*` progress and `file.ingest.*`, and
 * every command (`*.requested`) and review decision comes from the gateway (the public API).
 */
export function publisherOf(subject: string): string {
  const declared = allSubjects().find((s) => s.name === subject)?.publisher;
  if (declared) return declared;
  const [domain, second] = subject.split('.');
  if (subject === 'dlq.*') return 'any consumer';
  if (subject.endsWith('.requested')) return 'gateway';
  if (domain === 'scan' || (domain === 'file' && second === 'ingest')) return 'ingest';
  if (domain === 'file' && STAGE_NAMES.includes(second)) return second;
  if (domain === 'file' && second === 'duplicate') return 'gateway';
  if (domain === 'mix' && second === 'identify') return 'fingerprint';
  if (domain === 'tracklist') return 'tracklists';
  throw new Error(`gen-architecture-docs: who publishes "${subject}"? Teach publisherOf() in ${__filename}`);
}

function consumersOfSubject(subject: SubjectDefinition): ConsumerDeclaration[] {
  return Object.values(Consumers).filter((c: ConsumerDeclaration) => c.handles.some((h) => h.name === subject.name));
}

const code = (s: string) => `\`${s}\``;

/** A Markdown table with padded columns, laid out exactly as Prettier would (so `prettier --check` agrees). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

function subjectTable(): string {
  const rows = allSubjects().map((s) => {
    const consumers = consumersOfSubject(s).map((c) => `${c.service} (${code(c.durable)})`);
    return [code(s.name), publisherOf(s.name), consumers.join(', ') || '—', s.description];
  });
  return table(['subject (after the prefix)', 'published by', 'consumed by (durable)', 'meaning'], rows);
}

function consumerTable(): string {
  const rows = Object.values(Consumers).map((c: ConsumerDeclaration) => [
    code(c.durable),
    c.service,
    code(c.filter),
    c.handles.map((h) => code(h.name)).join(', '),
    seconds(c.ackWaitMs),
    String(c.maxDeliver),
    String(c.concurrency),
  ]);
  return table(['durable', 'service', 'filter', 'acts on', 'ack wait', 'max deliver', 'concurrency'], rows);
}

function streamTable(): string {
  const rows = Object.values(Streams).map((s) => [
    code(s.suffix ? `<PREFIX>_${s.suffix}` : '<PREFIX>'),
    s.subjects.map((x) => code(`<prefix>.${x}`)).join(' '),
    `${Math.round(s.maxAgeMs / 86_400_000)} days`,
    s.description,
  ]);
  return table(['stream', 'subjects', 'kept for', 'holds'], rows);
}

/** Short label for a group of subjects on one arrow: `file.metadata.*` when a stage's four subjects travel together. */
function edgeLabel(subjects: string[]): string {
  const out: string[] = [];
  const rest = new Set(subjects);
  for (const stage of STAGE_NAMES) {
    const mine = subjects.filter((s) => s.startsWith(`file.${stage}.`));
    if (mine.length > 1) {
      mine.forEach((s) => rest.delete(s));
      out.push(`file.${stage}.*`);
    }
  }
  const ingest = subjects.filter((s) => s.startsWith('file.ingest.'));
  if (ingest.length > 1) {
    ingest.forEach((s) => rest.delete(s));
    out.push('file.ingest.*');
  }
  return [...out, ...rest].join('<br/>');
}

function flowchart(): string {
  const edges = new Map<string, Set<string>>();
  for (const subject of allSubjects()) {
    const from = publisherOf(subject.name);
    if (from === 'any consumer') continue;
    for (const consumer of consumersOfSubject(subject)) {
      const key = `${from}|${consumer.service}`;
      if (!edges.has(key)) edges.set(key, new Set());
      edges.get(key)!.add(subject.name);
    }
  }
  const lines = [
    'flowchart LR',
    '  person(["DJ: browser or API client"]) -->|HTTP /api/v1| gateway',
    ...SERVICES.map((s) => `  ${s}[${s}]`),
    ...[...edges].map(([key, subjects]) => {
      const [from, to] = key.split('|');
      return `  ${from} -->|"${edgeLabel([...subjects])}"| ${to}`;
    }),
    '  nats[("NATS JetStream")] -.->|"every event (live, for SSE)"| gateway',
    '  library[("music library")]',
    '  executor ==>|"moves files (only writer)"| library',
    ...SERVICES.filter((s) => s !== 'executor' && s !== 'gateway' && s !== 'tracklists').map(
      (s) => `  ${s} -.->|read-only| library`,
    ),
  ];
  return ['```mermaid', ...lines, '```'].join('\n');
}

/** Triggers allowed from most states are written as a sentence, not as an arrow from every state. */
function isBroad(from: readonly FileState[]): boolean {
  return from.length > FILE_STATES.length / 2;
}

function triggers(): LifecycleTrigger[] {
  return lifecycleTriggers();
}

function stateDiagram(): string {
  const arrows = new Map<string, string[]>();
  for (const t of triggers()) {
    const { from, to } = transitionFor(t);
    if (isBroad(from)) continue;
    // A stage moves a file on from the state just before it; the earlier states are listed as text.
    const sources = t.kind === 'stage' ? from.slice(-1) : from;
    for (const source of sources) {
      if (source === to) continue; // a repeated decision: allowed, changes nothing
      const key = `${source} --> ${to}`;
      if (!arrows.has(key)) arrows.set(key, []);
      arrows.get(key)!.push(triggerName(t));
    }
  }
  const lines = [
    'stateDiagram-v2',
    '  [*] --> DISCOVERED: file.ingest.discovered',
    ...[...arrows].map(([edge, names]) => `  ${edge}: ${names.join(', ')}`),
  ];
  return ['```mermaid', ...lines, '```'].join('\n');
}

function broadTransitions(): string {
  const lines: string[] = [];
  for (const t of triggers()) {
    const tr = transitionFor(t);
    if (isBroad(tr.from)) {
      const except = FILE_STATES.filter((s) => !tr.from.includes(s));
      const where = except.length ? `from any state except ${except.map(code).join(', ')}` : 'from any state';
      lines.push(`- **${triggerName(t)}**: ${where} → ${code(tr.to)}`);
    } else if (t.kind === 'stage' && tr.from.length > 1) {
      lines.push(
        `- **${triggerName(t)}**: also from ${tr.from.slice(0, -1).map(code).join(', ')} → ${code(tr.to)} (outcomes may arrive out of order)`,
      );
    }
  }
  const loops = triggers().filter(
    (t) => !isBroad(transitionFor(t).from) && transitionFor(t).from.includes(transitionFor(t).to),
  );
  if (loops.length) {
    lines.push(
      `- **${loops.map(triggerName).join(', ')}** on a file already in that state: allowed; the state stays as it is`,
    );
  }
  return lines.join('\n');
}

function statusTable(): string {
  const outcomes = Object.entries(OUTCOME_STATUS).map(([outcome, status]) => `${code(outcome)} → ${code(status)}`);
  return [
    `Statuses: ${STAGE_STATUSES.map(code).join(', ')}. A stage's ${code('file.<stage>.started')} records ${code('running')}; its outcome records ${outcomes.join(', ')}.`,
    '',
    table(
      ['stage', 'runs after', 'state once it has finished (done, skipped or failed)'],
      PIPELINE_STAGES.map((stage, i) => {
        const done = transitionFor({ kind: 'stage', stage, outcome: 'completed' }).to;
        const skipped = transitionFor({ kind: 'stage', stage, outcome: 'skipped' }).to;
        return [
          stage,
          i === 0 ? 'ingest' : PIPELINE_STAGES[i - 1],
          done === skipped ? code(done) : `${code(done)} when done; ${code(skipped)} when skipped or failed`,
        ];
      }),
    ),
  ].join('\n');
}

function tableOwners(): string {
  return table(
    ['table', 'the one service that writes it'],
    Object.entries(TABLE_OWNERS).map(([name, owner]) => [code(name), owner]),
  );
}

export const SECTIONS: Record<string, () => string> = {
  flowchart,
  subjects: subjectTable,
  streams: streamTable,
  consumers: consumerTable,
  'state-diagram': stateDiagram,
  'broad-transitions': broadTransitions,
  statuses: statusTable,
  'table-owners': tableOwners,
};

/** The document with every generated section replaced by what the contracts say now. */
export function renderArchitectureDoc(current: string): string {
  let out = current;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${ARCHITECTURE_DOC} lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n\n${render()}\n\n${out.slice(to)}`;
  }
  return out;
}

if (require.main === module) {
  const current = readFileSync(ARCHITECTURE_DOC, 'utf8');
  const next = renderArchitectureDoc(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(
        'docs/architecture.md is out of date: run node -r @swc-node/register tools/scripts/gen-architecture-docs.ts',
      );
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(ARCHITECTURE_DOC, next);
    console.log('docs/architecture.md updated');
  } else {
    console.log('docs/architecture.md is up to date');
  }
}
