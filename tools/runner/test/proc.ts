import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  env: Map<string, string>;
}

/** Every process on the machine, with its command line and environment (those this user may read). */
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let env = new Map<string, string>();
      try {
        env = new Map(
          readFileSync(`/proc/${entry}/environ`, 'utf8')
            .split('\0')
            .filter((kv) => kv.includes('='))
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
        );
      } catch {
        // another user's process: its command line is still visible
      }
      out.push({ pid: Number(entry), cmdline, env });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Processes started with this environment variable value (a runner's children inherit it). */
export function processesWithEnv(name: string, value: string): ProcessInfo[] {
  return listProcesses().filter((p) => p.env.get(name) === value);
}
