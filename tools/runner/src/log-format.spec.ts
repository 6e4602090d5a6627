import { formatLogLine, type LogFormatOptions } from './log-format';

const plain: LogFormatOptions = { verbose: false, color: false, nameWidth: 10 };
const time = '2026-01-02T14:02:07.000Z';
const clock = new Date(time).toTimeString().slice(0, 8);

describe('formatLogLine', () => {
  it('shows the time, the padded name, the message and the useful fields', () => {
    const line = JSON.stringify({
      level: 'info',
      time,
      service: 'ingest',
      pid: 7,
      msg: 'scan finished',
      scanId: 'abc',
      found: 2000,
    });
    expect(formatLogLine('ingest', line, plain)).toBe(`${clock} ingest     scan finished  scanId=abc found=2000`);
  });

  it('marks warnings and errors and shows an error by its message', () => {
    const warn = JSON.stringify({ level: 40, time, msg: 'slow', path: 'a b' });
    expect(formatLogLine('metadata', warn, plain)).toBe(`${clock} metadata   WARN slow  path="a b"`);
    const error = JSON.stringify({
      level: 'error',
      time,
      msg: 'failed',
      err: { message: 'boom', stack: 'Error: boom\n at x' },
    });
    expect(formatLogLine('gateway', error, plain)).toBe(`${clock} gateway    ERROR failed  err="boom"`);
  });

  it('hides debug lines, NestJS start-up chatter and (when quiet) info lines', () => {
    expect(formatLogLine('x', JSON.stringify({ level: 'debug', msg: 'detail' }), plain)).toBeNull();
    expect(
      formatLogLine(
        'x',
        JSON.stringify({ level: 'info', context: 'RouterExplorer', msg: 'Mapped {/health, GET}' }),
        plain,
      ),
    ).toBeNull();
    expect(formatLogLine('x', JSON.stringify({ level: 'info', msg: 'started' }), { ...plain, quiet: true })).toBeNull();
    expect(formatLogLine('x', JSON.stringify({ level: 'warn', msg: 'careful' }), { ...plain, quiet: true })).toContain(
      'WARN careful',
    );
  });

  it('shortens long values', () => {
    const line = JSON.stringify({ level: 'info', msg: 'm', list: 'x'.repeat(500) });
    const out = formatLogLine('x', line, plain)!;
    expect(out.length).toBeLessThan(160);
    expect(out.endsWith('…')).toBe(true);
  });

  it('passes lines that are not JSON (stack traces) through with the name', () => {
    expect(formatLogLine('ingest', 'TypeError: x is undefined', plain)).toMatch(
      /^\d\d:\d\d:\d\d ingest {5}TypeError: x is undefined$/,
    );
    expect(formatLogLine('ingest', '   ', plain)).toBeNull();
  });

  it('shows the whole line with --verbose, even debug', () => {
    const line = JSON.stringify({ level: 'debug', msg: 'detail' });
    expect(formatLogLine('ingest', line, { ...plain, verbose: true })).toBe(`ingest     ${line}`);
  });

  it('colours the name and the level on a terminal', () => {
    const out = formatLogLine('ingest', JSON.stringify({ level: 'error', msg: 'bad' }), { ...plain, color: true })!;
    expect(out).toContain('\u001b[31mERROR \u001b[0m');
    expect(out).toContain(`mingest    \u001b[0m`);
  });
});
