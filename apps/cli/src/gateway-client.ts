import { CliError, ExitCode } from './exit-codes';

/** A problem+json answer of the gateway. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; location?: string; message: string }[];
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Extra request headers (e.g. If-Match for a versioned change). */
  headers?: Record<string, string>;
}

function problemText(problem: Problem | null, fallback: string): string {
  if (!problem) return fallback;
  let text = problem.detail || problem.title || fallback;
  if (problem.errors?.length)
    text += ` (${problem.errors.map((e) => `${e.field ?? e.location}: ${e.message}`).join('; ')})`;
  return text;
}

/**
 * The gateway's public REST API as the CLI uses it. Every failure becomes a CliError with the exit code a
 * script can act on: 3 when nothing answers, 4 when the token is refused, 1 for any other refusal.
 */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly describeTokenSource: string,
  ) {}

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(path.startsWith('/') ? path : `/api/v1/${path}`, this.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = (options.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD') {
      if (!this.token) {
        throw new CliError(
          'This command changes state and needs the API token: set CRATEFLOW_TOKEN, pass --token, or run it on the machine where `npm start` keeps its data folder.',
          ExitCode.authRefused,
        );
      }
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw this.unreachable(e);
    }
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let data: unknown = null;
    if (type.includes('json') && text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (res.status === 401 || res.status === 403) {
      throw new CliError(
        `The gateway refused the API token (${this.describeTokenSource}): ${problemText(data as Problem, `${res.status}`)}`,
        ExitCode.authRefused,
        data,
      );
    }
    if (!res.ok)
      throw new CliError(problemText(data as Problem, `${res.status} ${res.statusText}`), ExitCode.failure, data);
    return (type.includes('json') ? data : text) as T;
  }

  /** Opens a Server-Sent Events stream; calls `onEvent` per event until `signal` aborts or the server ends it. */
  async events(
    types: string[],
    onEvent: (subject: string, payload: unknown) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url('events', { types: types.join(',') }), {
        headers: { accept: 'text/event-stream' },
        signal,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      throw this.unreachable(e);
    }
    if (!res.ok || !res.body)
      throw new CliError(`The live event feed is not available (${res.status}).`, ExitCode.failure);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          try {
            onEvent(event, JSON.parse(data));
          } catch {
            // a frame that is not JSON is not ours to interpret
          }
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  }

  private unreachable(e: unknown): CliError {
    const cause = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code ?? (e as Error).message;
    return new CliError(
      `Cannot reach the Crateflow gateway at ${this.baseUrl} (${code}). Is Crateflow running (npm start -- ~/Music)? Set CRATEFLOW_URL or --url if it listens elsewhere.`,
      ExitCode.unreachable,
    );
  }
}
