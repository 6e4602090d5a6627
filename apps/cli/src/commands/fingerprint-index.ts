import type { Command } from 'commander';
import type { CliContext } from '../context';

interface Generation {
  generation: number;
  algorithmVersion: number;
  layoutVersion: number;
  state: 'building' | 'active' | 'retired';
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
  droppedAt: string | null;
}

export interface FingerprintIndexStatus {
  active: Generation & { tracks: number };
  rebuild: {
    generation: Generation;
    done: number;
    failed: number;
    total: number;
    percent: number;
    ratePerMin: number | null;
    etaSec: number | null;
    lookupsFrom: 'active' | 'unavailable';
    recentFailures: { trackId: number; reason: string; failedAt: string }[];
  } | null;
  lastUpgrade: Generation | null;
  codeVersion: { algorithmVersion: number; layoutVersion: number };
}

/** `crateflow index`: which fingerprint index generation answers look-ups, and an upgrade's progress. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('index')
    .description('fingerprint index: the active generation, and the progress of an upgrade (rebuild) under way')
    .action(async () => {
      const status = await ctx.api().request<FingerprintIndexStatus>('fingerprint/index');
      ctx.out().result(status, () => renderIndexStatus(status));
    });
}

const version = (g: { algorithmVersion: number; layoutVersion: number }) =>
  `algorithm ${g.algorithmVersion}, layout ${g.layoutVersion}`;

export function renderIndexStatus(s: FingerprintIndexStatus): string[] {
  const fmt = (n: number) => n.toLocaleString('en');
  const lines = [
    `Active: generation ${s.active.generation} (${version(s.active)}), ${fmt(s.active.tracks)} tracks` +
      (s.active.activatedAt ? `, since ${s.active.activatedAt}` : ''),
  ];
  const r = s.rebuild;
  if (!r) {
    lines.push('No upgrade under way: the index is at the running version.');
  } else {
    lines.push(
      `Upgrade: generation ${r.generation.generation} (${version(r.generation)}) being built: ` +
        `${fmt(r.done)} of ${fmt(r.total)} tracks (${r.percent} %)` +
        (r.failed ? `, ${fmt(r.failed)} failed` : ''),
      `  rate: ${r.ratePerMin === null ? 'not measured yet' : `${r.ratePerMin} tracks/min`}` +
        (r.etaSec === null ? '' : `, about ${formatDuration(r.etaSec)} left`),
      r.lookupsFrom === 'active'
        ? `  look-ups answer from generation ${s.active.generation} until the new one is complete`
        : '  look-ups wait for the new generation (its hashes differ from the active one)',
    );
    for (const f of r.recentFailures.slice(0, 5)) lines.push(`  failed: track ${f.trackId}: ${f.reason}`);
  }
  if (s.lastUpgrade) {
    lines.push(
      `Last upgrade replaced generation ${s.lastUpgrade.generation} (${version(s.lastUpgrade)})` +
        (s.lastUpgrade.retiredAt ? ` on ${s.lastUpgrade.retiredAt}` : ''),
    );
  }
  return lines;
}

function formatDuration(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 5400) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}
