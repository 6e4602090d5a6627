import { BadRequestException, HttpStatus, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { ProblemFilter } from './problem.filter';
import { PROBLEM_CONTENT_TYPE, ProblemException, ProblemTypes, toProblem } from './problem';

describe('toProblem', () => {
  it('keeps the type, detail and field errors of our own problems', () => {
    const error = ProblemException.validation([{ location: 'query', field: 'limit', message: 'Too big' }]);
    expect(toProblem(error, '/api/v1/files')).toEqual({
      problem: {
        type: ProblemTypes.validation,
        title: 'Invalid request',
        status: 400,
        detail: 'The request has invalid fields.',
        instance: '/api/v1/files',
        errors: [{ location: 'query', field: 'limit', message: 'Too big' }],
      },
      serverFault: false,
      headers: undefined,
    });
  });

  it('says when to come back on a 503 (Retry-After)', () => {
    const { problem, headers } = toProblem(ProblemException.unavailable('busy'), '/x');
    expect(problem.status).toBe(503);
    expect(headers).toEqual({ 'Retry-After': '5' });
  });

  it("turns a database data exception (NUL, out of range) into a 400 without the database's words", () => {
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00 in SELECT ... FROM files'), {
      code: '22021',
    });
    const { problem, serverFault } = toProblem(error, '/api/v1/files');
    expect({ status: problem.status, serverFault }).toEqual({ status: 400, serverFault: false });
    expect(problem.detail).not.toMatch(/SELECT|UTF8|0x00/);
  });

  it('carries WWW-Authenticate on a 401', () => {
    const { problem, headers } = toProblem(ProblemException.unauthorized('no token'), '/x');
    expect(problem).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      type: ProblemTypes.unauthorized,
      detail: 'no token',
    });
    expect(headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="crateflow"' });
  });

  it("maps Nest's not-found (unknown routes) to a 404 problem", () => {
    const { problem } = toProblem(new NotFoundException('Cannot GET /nope'), '/nope');
    expect(problem).toEqual({
      type: ProblemTypes.notFound,
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /nope',
      instance: '/nope',
    });
  });

  it('marks a body express could not parse as malformed', () => {
    // What Nest makes of body-parser's SyntaxError.
    const { problem } = toProblem(
      new BadRequestException(`Expected property name or '}' in JSON at position 1`),
      '/api/v1/scans',
    );
    expect(problem.status).toBe(400);
    expect(problem.type).toBe(ProblemTypes.malformedBody);
    expect(problem.detail).toMatch(/^The request body is not valid JSON: /);
  });

  it("keeps the message of body-parser's exposed client errors (413)", () => {
    const error = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    const { problem, serverFault } = toProblem(error, '/api/v1/scans');
    expect(problem).toMatchObject({ status: 413, title: 'Payload Too Large', detail: 'request entity too large' });
    expect(serverFault).toBe(false);
  });

  it('hides the message of anything unexpected behind a generic 500', () => {
    const error = new Error('relation "secret_table" does not exist at /srv/crateflow');
    const { problem, serverFault } = toProblem(error, '/api/v1/files');
    expect(problem.status).toBe(500);
    expect(problem.type).toBe(ProblemTypes.internal);
    expect(problem.detail).not.toMatch(/secret_table|srv/);
    expect(serverFault).toBe(true);
    // An http-error without `expose` is not trusted either.
    expect(toProblem(Object.assign(new Error('internal'), { status: 400 }), '/').problem.status).toBe(500);
  });
});

describe('ProblemFilter', () => {
  function fakeHost(headersSent = false) {
    const sent: { status?: number; headers: Record<string, string>; body?: string; ended: boolean } = {
      headers: {},
      ended: false,
    };
    const res = {
      headersSent,
      status(code: number) {
        sent.status = code;
        return this;
      },
      setHeader(name: string, value: string) {
        sent.headers[name.toLowerCase()] = value;
        return this;
      },
      send(body: string) {
        sent.body = body;
      },
      end() {
        sent.ended = true;
      },
    };
    const req = { method: 'GET', originalUrl: '/api/v1/files/123?q=secret', url: '/api/v1/files/123?q=secret' };
    const host = {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    } as unknown as ArgumentsHost;
    return { host, sent };
  }

  it('writes application/problem+json with the path (no query) as instance', () => {
    const logger = { error: jest.fn(), warn: jest.fn() };
    const { host, sent } = fakeHost();
    new ProblemFilter(logger).catch(ProblemException.notFound('No file with id 123.'), host);
    expect(sent.status).toBe(HttpStatus.NOT_FOUND);
    expect(sent.headers['content-type']).toBe(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    expect(JSON.parse(sent.body!)).toEqual({
      type: ProblemTypes.notFound,
      title: 'Not Found',
      status: 404,
      detail: 'No file with id 123.',
      instance: '/api/v1/files/123',
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('logs server faults and ends a stream that already started instead of writing a status', () => {
    const logger = { error: jest.fn(), warn: jest.fn() };
    const { host, sent } = fakeHost(true);
    new ProblemFilter(logger).catch(new Error('boom'), host);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(sent.ended).toBe(true);
    expect(sent.status).toBeUndefined();
  });
});
