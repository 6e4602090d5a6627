import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { CONFIG } from '@crateflow/service-host';
import type { GatewayConfig } from '../gateway.config';
import { CSRF_HEADER, parseCookies, SESSION_COOKIE, SessionTokens } from '../session/session-tokens';
import { ProblemException } from './problem';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Compares a presented token with the expected one in constant time. Both are hashed first, so the
 * comparison time depends on neither the secret's length nor how many leading characters match.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

/** Signing in presents the token in the body; it is the one state-changing route open to anyone. */
const SIGN_IN = { method: 'POST', path: '/api/v1/session' };

/**
 * Every state-changing request (POST, PUT, PATCH, DELETE) needs either `Authorization: Bearer
 * <CRATEFLOW_API_TOKEN>` (scripts, the CLI) or the browser session of a person who signed in with that token
 * plus the session's CSRF token in `X-CSRF-Token`. A browser attaches neither a bearer header nor the CSRF
 * header on its own, and the cookies are SameSite=Strict, so another site cannot forge a request. Reads stay
 * open (the gateway listens on 127.0.0.1 unless told otherwise).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly sessions: SessionTokens;

  constructor(
    @Inject(CONFIG)
    private readonly config: Pick<GatewayConfig, 'CRATEFLOW_API_TOKEN'> &
      Partial<Pick<GatewayConfig, 'CRATEFLOW_READS_NEED_TOKEN'>>,
  ) {
    this.sessions = new SessionTokens(config.CRATEFLOW_API_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const method = req.method.toUpperCase();
    // Reads are open unless the one switch says otherwise (docs/decisions.md); probes stay open either way.
    const readsOpen = !this.config.CRATEFLOW_READS_NEED_TOKEN || req.path === '/health' || req.path === '/metrics';
    if (SAFE_METHODS.has(method) && readsOpen) return true;
    if (method === SIGN_IN.method && req.path === SIGN_IN.path) return true;
    const presented = bearerToken(req.headers.authorization);
    if (presented === undefined) {
      const session = this.sessions.verifySession(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
      if (session) {
        const csrf = req.headers[CSRF_HEADER];
        if (this.sessions.verifyCsrf(session, typeof csrf === 'string' ? csrf : undefined)) return true;
        throw ProblemException.forbidden(
          'The request lacks the CSRF token of your session (`X-CSRF-Token`); reload the page and try again.',
        );
      }
      throw ProblemException.unauthorized(
        SAFE_METHODS.has(method)
          ? 'This gateway asks for the API token on reads too: sign in, or send an `Authorization: Bearer <token>` header.'
          : 'This request changes state: sign in with the API token, or send an `Authorization: Bearer <token>` header.',
      );
    }
    if (!tokenMatches(presented, this.config.CRATEFLOW_API_TOKEN)) {
      throw ProblemException.unauthorized('The API token is not valid.');
    }
    return true;
  }
}
