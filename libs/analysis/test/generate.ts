import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SignalSpec } from './write-signals';

/** Synthesises the given signals in a child Node process (fast, outside Jest's sandbox). */
export function generateSignals(dir: string, specs: SignalSpec[]): void {
  const list = path.join(dir, 'signals.json');
  writeFileSync(list, JSON.stringify(specs));
  execFileSync(
    process.execPath,
    ['-r', require.resolve('@swc-node/register'), path.join(__dirname, 'write-signals.ts'), `@${list}`],
    {
      stdio: 'pipe',
      cwd: path.resolve(__dirname, '../../..'),
    },
  );
}
