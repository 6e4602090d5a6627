/**
 * The logging this library needs: pino-compatible `(object, message)` calls. Apps pass their pino logger;
 * without one, JSON lines go to stdout (info, debug) and stderr (warn, error).
 */
export interface MessagingLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type Level = keyof typeof LEVELS;

/** A JSON-lines console logger with pino's field names; `debug` is dropped unless minLevel is 'debug'. */
export function jsonConsoleLogger(bindings: Record<string, unknown> = {}, minLevel: Level = 'info'): MessagingLogger {
  const write = (level: Level) => (obj: Record<string, unknown>, msg: string) => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    const line = JSON.stringify({ level: LEVELS[level], time: Date.now(), ...bindings, ...serializeErrors(obj), msg });
    (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Error objects stringify to `{}`; keep their name, message and stack. */
function serializeErrors(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}
