import type { JournalOperation } from '../journal/operation';

/**
 * Points inside the protocol where a test can step in: kill the process (fault injection) or tamper with
 * a file (a copy corrupted between copy and verify). Names are `<kind>:<role>:<point>`, for example
 * `move:media:journaled:publishing`, `copy:companion:copy:mid`, `undo:media:copy:before-verify` (undo operations
 * are named `undo` whatever their kind).
 */
export interface ProtocolHooks {
  at(point: string, op: JournalOperation): Promise<void> | void;
  /**
   * Whether `at` may act at `copy:mid` (default: yes). Only then does each copy pause mid-way for it, which
   * costs a message per file; other points cost nothing.
   */
  wantsMidCopy?: boolean;
}

export const NO_HOOKS: ProtocolHooks = { at: () => undefined };

function matches(pattern: string, name: string): boolean {
  const p = pattern.split(':');
  const n = name.split(':');
  if (p[p.length - 1] === '**') {
    return p.slice(0, -1).every((t, i) => t === '*' || t === n[i]);
  }
  return p.length === n.length && p.every((t, i) => t === '*' || t === n[i]);
}

/**
 * The fault-injection hook of a real executor process, driven by the environment (tests only):
 * CRATEFLOW_EXECUTOR_KILL_AT=<pattern> (tokens separated by ':', `*` matches one token) and
 * CRATEFLOW_EXECUTOR_KILL_AFTER=<n> (fire at the n-th match, default 1). When it fires the process
 * sends itself SIGKILL: no clean-up, no finally blocks, exactly like a power cut of the process.
 */
export function killHooksFromEnv(env: NodeJS.ProcessEnv = process.env): ProtocolHooks {
  const pattern = env.CRATEFLOW_EXECUTOR_KILL_AT;
  if (!pattern) return NO_HOOKS;
  let remaining = Math.max(1, Number(env.CRATEFLOW_EXECUTOR_KILL_AFTER ?? 1) || 1);
  const tokens = pattern.split(':');
  return {
    wantsMidCopy:
      tokens[tokens.length - 1] === '**' || (matches(tokens.slice(-2).join(':'), 'copy:mid') && tokens.length === 4),
    at: (point, op) => {
      const name = `${op.undoOfOperationId ? 'undo' : op.kind}:${op.role}:${point}`;
      if (!matches(pattern, name)) return;
      if (--remaining > 0) return;
      process.stderr.write(`fault injection: SIGKILL at ${name} (${op.id})\n`);
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL is delivered asynchronously; never let the protocol take another step meanwhile.
      return new Promise<void>(() => undefined);
    },
  };
}
