/**
 * CPU seconds per process, read from /proc, for the fingerprint benches: the machine is shared, so wall time
 * alone says little; what our process, ffmpeg (a waited-for child) and the PostgreSQL backends each spent does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/**
 * CPU seconds (user + system) of a process (`pid`, or a path under /proc such as `self/task/<tid>`); with
 * `children`, of its waited-for children.
 */
export function procCpu(pid: number | string, children = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return children ? (Number(f[13]) + Number(f[14])) / TICKS : (Number(f[11]) + Number(f[12])) / TICKS;
}

/** CPU seconds of this process (process.cpuUsage: every thread, worker threads included). */
export function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * The PostgreSQL backends serving one database (and, if given, one application_name), and their CPU seconds
 * so far. Give the pool `idleTimeoutMillis: 0`, so its backends live from one sample to the next.
 */
export class BackendCpu {
  constructor(
    private readonly pool: Pool,
    private readonly database: string,
    private readonly applicationName?: string,
  ) {}

  async sample(): Promise<Map<number, number>> {
    const res = await this.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND ($2::text IS NULL OR application_name = $2)',
      [this.database, this.applicationName ?? null],
    );
    const out = new Map<number, number>();
    for (const { pid } of res.rows) {
      try {
        out.set(pid, procCpu(pid));
      } catch {
        // a backend that exited between the query and the read
      }
    }
    return out;
  }

  /** CPU seconds spent between two samples (a backend started in between counts from zero). */
  static used(before: Map<number, number>, after: Map<number, number>): number {
    let sum = 0;
    for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
    return sum;
  }
}
