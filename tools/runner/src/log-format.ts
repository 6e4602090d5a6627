/**
 * Turns the services' JSON log lines into short readable lines prefixed with the service's name:
 *
 *   14:02:07 ingest       scan finished  found=2000 new=2000
 *   14:02:09 metadata     WARN tag reading failed  fileId=… error="unexpected end of file"
 *
 * With --verbose every line is shown whole (JSON), still prefixed with the service's name.
 */
export interface LogFormatOptions {
  verbose: boolean;
  color: boolean;
  /** Width the names are padded to, so messages line up. */
  nameWidth: number;
  /** Show only warnings and errors (while the services start and stop, their info lines are noise). */
  quiet?: boolean;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has, or that say nothing to a person reading along. */
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'context', 'v', 'trace']);
/** NestJS start-up chatter: one line per module and route. */
const QUIET_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);
const MAX_VALUE = 120;

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const PALETTE = [36, 32, 35, 34, 33, 96, 92, 95, 94];
const dim = ansi(2);
const red = ansi(31);
const yellow = ansi(33);

function colorFor(name: string): (text: string) => string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return ansi(PALETTE[h % PALETTE.length]);
}

function clock(time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  const d = Number.isNaN(date.getTime()) ? new Date() : date;
  return d.toTimeString().slice(0, 8);
}

function showValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  else if (value instanceof Object && 'message' in value && typeof value.message === 'string')
    text = JSON.stringify(value.message);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function levelOf(value: unknown): string {
  if (typeof value === 'number') return LEVELS[value] ?? 'info';
  return typeof value === 'string' ? value : 'info';
}

/** One line for the terminal, or null when it is noise that only --verbose shows. */
export function formatLogLine(name: string, line: string, options: LogFormatOptions): string | null {
  if (!line.trim()) return null;
  const paint = (fn: (t: string) => string, text: string) => (options.color ? fn(text) : text);
  const label = paint(colorFor(name), name.padEnd(options.nameWidth));
  if (options.verbose) return `${label} ${line}`;

  let entry: Record<string, unknown> | null = null;
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
    } catch {
      entry = null;
    }
  }
  if (!entry) return `${paint(dim, clock(undefined))} ${label} ${line}`;

  const level = levelOf(entry.level);
  if (level === 'debug' || level === 'trace') return null;
  if (options.quiet && level === 'info') return null;
  if (level === 'info' && typeof entry.context === 'string' && QUIET_CONTEXTS.has(entry.context)) return null;

  const fields = Object.entries(entry)
    .filter(([key, value]) => !HIDDEN_FIELDS.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${showValue(value)}`);
  const tag =
    level === 'warn'
      ? paint(yellow, 'WARN ')
      : level === 'error' || level === 'fatal'
        ? paint(red, `${level.toUpperCase()} `)
        : '';
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const rest = fields.length ? `  ${paint(dim, fields.join(' '))}` : '';
  return `${paint(dim, clock(entry.time))} ${label} ${tag}${message}${rest}`;
}
