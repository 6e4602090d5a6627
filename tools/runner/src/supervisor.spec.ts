import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT_CONFIG, restartDelayMs, Supervisor, type SupervisorOptions } from './supervisor';

describe('restartDelayMs', () => {
  it('doubles from one second and stops at thirty', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

/** Real child processes running tiny scripts: a crash is restarted, a bad config is fatal, stop escalates. */
describe('Supervisor', () => {
  let dir: string;
  let lines: string[];
  let notices: string[];
  let fatal: string[];
  let supervisor: Supervisor;

  const options = (stopGraceMs = 5000): SupervisorOptions => ({
    root: path.resolve(__dirname, '../../..'),
    onLine: (name, line) => lines.push(`${name}: ${line}`),
    notice: (message) => notices.push(message),
    onFatal: (name, reason) => fatal.push(`${name}: ${reason}`),
    stopGraceMs,
  });
  const script = (name: string, code: string) => {
    const file = path.join(dir, `${name}.js`);
    writeFileSync(file, code);
    return file;
  };
  const waitFor = async (what: () => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!what()) {
      if (Date.now() > deadline)
        throw new Error(`timed out; lines: ${lines.join(' | ')}; notices: ${notices.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cf-supervisor-'));
    lines = [];
    notices = [];
    fatal = [];
  });
  afterEach(async () => {
    await supervisor?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts a service that crashes, after a delay, with its environment', async () => {
    const counter = path.join(dir, 'runs');
    writeFileSync(counter, '');
    const entry = script(
      'crashy',
      `const fs = require('fs');
       fs.appendFileSync(${JSON.stringify(counter)}, 'x');
       console.log('run', fs.readFileSync(${JSON.stringify(counter)}, 'utf8').length, process.env.HTTP_PORT);
       if (fs.readFileSync(${JSON.stringify(counter)}, 'utf8').length === 1) process.exit(3);
       setInterval(() => {}, 1000);`,
    );
    supervisor = new Supervisor(options());
    supervisor.start({ name: 'crashy', entry, port: 4321, env: { HTTP_PORT: '4321' } });
    await waitFor(() => lines.includes('crashy: run 2 4321'));
    expect(lines).toContain('crashy: run 1 4321');
    expect(notices).toEqual(['crashy stopped unexpectedly (exit code 3); restarting in 1 s']);
    expect(supervisor.restarts()).toEqual({ crashy: 1 });
    expect(supervisor.isRunning('crashy')).toBe(true);
    expect(readFileSync(counter, 'utf8')).toBe('xx');
  });

  it('does not restart a service whose configuration is invalid', async () => {
    const entry = script('badconfig', `console.error('Invalid configuration for x'); process.exit(${EXIT_CONFIG});`);
    supervisor = new Supervisor(options());
    supervisor.start({ name: 'badconfig', entry, port: 1, env: {} });
    await waitFor(() => fatal.length > 0);
    expect(fatal).toEqual(['badconfig: its configuration is invalid (see the lines above)']);
    expect(lines).toContain('badconfig: Invalid configuration for x');
    await new Promise((r) => setTimeout(r, 1500));
    expect(supervisor.restarts()).toEqual({ badconfig: 0 });
  });

  it('stops services with SIGTERM, and kills one that ignores it after the grace period', async () => {
    const polite = script(
      'polite',
      `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);`,
    );
    const stubborn = script(
      'stubborn',
      `process.on('SIGTERM', () => console.log('not stopping')); console.log('up'); setInterval(() => {}, 1000);`,
    );
    supervisor = new Supervisor(options(1000));
    supervisor.start({ name: 'polite', entry: polite, port: 1, env: {} });
    supervisor.start({ name: 'stubborn', entry: stubborn, port: 2, env: {} });
    await waitFor(() => lines.includes('polite: up') && lines.includes('stubborn: up'));
    const started = Date.now();
    await supervisor.stopAll();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(lines).toEqual(expect.arrayContaining(['polite: bye', 'stubborn: not stopping']));
    expect(notices).toEqual(['stubborn did not stop in time and was killed']);
    expect(supervisor.isRunning('polite')).toBe(false);
    expect(supervisor.isRunning('stubborn')).toBe(false);
  });
});
