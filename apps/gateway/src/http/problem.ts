import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * RFC 9457 problem details: every error the gateway answers is `application/problem+json` with
 * `type`, `title`, `status`, `detail` and `instance`. Problem types of our own are URNs (RFC 9457
 * allows non-resolvable type URIs); plain HTTP errors use `about:blank` with the status phrase as title.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ProblemTypes = {
  blank: 'about:blank',
  validation: 'urn:crateflow:problem:validation-failed',
  pathNotAllowed: 'urn:crateflow:problem:path-not-allowed',
  unauthorized: 'urn:crateflow:problem:unauthorized',
  forbidden: 'urn:crateflow:problem:forbidden',
  notFound: 'urn:crateflow:problem:not-found',
  malformedBody: 'urn:crateflow:problem:malformed-body',
  unsupportedMediaType: 'urn:crateflow:problem:unsupported-media-type',
  unavailable: 'urn:crateflow:problem:dependency-unavailable',
  invalidText: 'urn:crateflow:problem:invalid-text',
  misdirected: 'urn:crateflow:problem:host-not-allowed',
  internal: 'urn:crateflow:problem:internal-error',
} as const;

export const ProblemFieldErrorSchema = z.object({
  /** Where the bad value was: the JSON body, the query string or the URL path. */
  location: z.enum(['body', 'query', 'path', 'header']),
  /** Dotted path of the field, e.g. `limit` or `items.0.name`; empty for the whole value. */
  field: z.string(),
  message: z.string(),
});
export type ProblemFieldError = z.infer<typeof ProblemFieldErrorSchema>;

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  errors: z.array(ProblemFieldErrorSchema).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export interface ProblemInit {
  status: number;
  type?: string;
  title?: string;
  detail: string;
  errors?: ProblemFieldError[];
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  headers?: Record<string, string>;
}

/** An error the gateway means to show the caller, with its problem type and (for validation) the bad fields. */
export class ProblemException extends HttpException {
  readonly problemType: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: ProblemFieldError[];
  readonly headers?: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail, init.status);
    this.problemType = init.type ?? ProblemTypes.blank;
    this.title = init.title ?? statusTitle(init.status);
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
  }

  static validation(errors: ProblemFieldError[], detail = 'The request has invalid fields.'): ProblemException {
    return new ProblemException({
      status: HttpStatus.BAD_REQUEST,
      type: ProblemTypes.validation,
      title: 'Invalid request',
      detail,
      errors,
    });
  }

  static notFound(detail: string): ProblemException {
    return new ProblemException({ status: HttpStatus.NOT_FOUND, type: ProblemTypes.notFound, detail });
  }

  static unauthorized(detail: string): ProblemException {
    return new ProblemException({
      status: HttpStatus.UNAUTHORIZED,
      type: ProblemTypes.unauthorized,
      detail,
      headers: { 'WWW-Authenticate': 'Bearer realm="crateflow"' },
    });
  }

  static forbidden(detail: string): ProblemException {
    return new ProblemException({ status: HttpStatus.FORBIDDEN, type: ProblemTypes.forbidden, detail });
  }

  /** 503, with `Retry-After` so a client (and the CLI) knows when to come back. */
  static unavailable(detail: string, retryAfterSec = 5): ProblemException {
    return new ProblemException({
      status: HttpStatus.SERVICE_UNAVAILABLE,
      type: ProblemTypes.unavailable,
      detail,
      headers: { 'Retry-After': String(retryAfterSec) },
    });
  }
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** What an error turned into, and whether it is a server fault that must be logged with its stack. */
export interface ProblemOutcome {
  problem: Problem;
  serverFault: boolean;
  headers?: Record<string, string>;
}

/**
 * Maps anything thrown while handling a request to a problem. Only errors meant for the caller keep
 * their message (ours, Nest's HTTP exceptions, body-parser's client errors); anything else becomes a
 * generic 500, because an internal message may carry paths, SQL or other details the caller must not see.
 */
export function toProblem(error: unknown, instance: string): ProblemOutcome {
  if (error instanceof ProblemException) {
    const problem: Problem = {
      type: error.problemType,
      title: error.title,
      status: error.getStatus(),
      detail: error.detail,
      instance,
    };
    if (error.errors) problem.errors = error.errors;
    return { problem, serverFault: error.getStatus() >= 500, headers: error.headers };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return {
      problem: {
        type: typeForStatus(status, error),
        title: statusTitle(status),
        status,
        detail: httpExceptionDetail(error, status),
        instance,
      },
      serverFault: status >= 500,
    };
  }
  // A value PostgreSQL refuses as data (SQLSTATE class 22: a NUL in text, a time or number out of range, bad
  // UTF-8): the caller's input, not a server fault. The database's own words (and SQL) stay in the log.
  if (isDataException(error)) {
    return {
      problem: {
        type: ProblemTypes.invalidText,
        title: statusTitle(400),
        status: 400,
        detail:
          'The request holds a value that cannot be stored or compared (a NUL or other invalid character, or a number or time out of range).',
        instance,
      },
      serverFault: false,
    };
  }
  // http-errors from body-parser and friends (413 too large, 415 unsupported charset): `expose` marks a safe message.
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    return {
      problem: {
        type: ProblemTypes.malformedBody,
        title: statusTitle(status),
        status,
        detail: (error as Error).message,
        instance,
      },
      serverFault: false,
    };
  }
  return {
    problem: {
      type: ProblemTypes.internal,
      title: statusTitle(500),
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
      instance,
    },
    serverFault: true,
  };
}

function typeForStatus(status: number, error: HttpException): string {
  if (status === HttpStatus.NOT_FOUND) return ProblemTypes.notFound;
  // Nest maps body-parser's SyntaxError (malformed JSON) to a BadRequestException whose cause is lost; its message says so.
  if (status === HttpStatus.BAD_REQUEST && isMalformedJson(error)) return ProblemTypes.malformedBody;
  return ProblemTypes.blank;
}

function isMalformedJson(error: HttpException): boolean {
  return /JSON/.test(error.message);
}

function httpExceptionDetail(error: HttpException, status: number): string {
  if (status >= 500) return 'An unexpected error occurred; it has been logged.';
  if (status === HttpStatus.BAD_REQUEST && isMalformedJson(error))
    return `The request body is not valid JSON: ${error.message}`;
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  return error.message;
}

function isDataException(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : e.driverError?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function clientErrorStatus(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status > 499 || e.expose !== true) return undefined;
  return status;
}
