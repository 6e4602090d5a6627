import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '@crateflow/observability';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/**
 * The one place errors become responses: `application/problem+json` for everything, including unknown
 * routes (Nest's not-found handler) and bodies express could not parse (Nest's error handler).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Pick<Logger, 'error' | 'warn'>) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    // The path only: a query string may carry search text, which is the caller's business.
    const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const { problem, serverFault, headers } = toProblem(exception, instance);
    if (serverFault) {
      this.logger.error(
        { err: exception, method: req.method, route: instance, status: problem.status },
        'request failed',
      );
    }
    if (res.headersSent) {
      // A stream (SSE) already started: the status line is gone, so end the response instead.
      res.end();
      return;
    }
    res.status(problem.status).setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    res.send(JSON.stringify(problem));
  }
}
