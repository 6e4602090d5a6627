import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { CONFIG } from '@crateflow/service-host';
import type { GatewayConfig } from '../gateway.config';
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

/**
 * Every state-changing request (POST, PUT, PATCH, DELETE) needs `Authorization: Bearer <CRATEFLOW_API_TOKEN>`;
 * reads stay open (the gateway listens on 127.0.0.1 unless told otherwise). A bearer header is never
 * attached by a browser on its own, so a cross-site form cannot forge a request (no CSRF).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    @Inject(CONFIG)
    private readonly config: Pick<GatewayConfig, 'CRATEFLOW_API_TOKEN'> &
      Partial<Pick<GatewayConfig, 'CRATEFLOW_READS_NEED_TOKEN'>>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    // Reads are open unless the one switch says otherwise (docs/decisions.md); probes stay open either way.
    const readsOpen = !this.config.CRATEFLOW_READS_NEED_TOKEN || req.path === '/health' || req.path === '/metrics';
    if (SAFE_METHODS.has(req.method.toUpperCase()) && readsOpen) return true;
    const presented = bearerToken(req.headers.authorization);
    if (presented === undefined) {
      throw ProblemException.unauthorized(
        SAFE_METHODS.has(req.method.toUpperCase())
          ? 'This gateway asks for the API token on reads too: send an `Authorization: Bearer <token>` header.'
          : 'This request changes state and needs an `Authorization: Bearer <token>` header.',
      );
    }
    if (!tokenMatches(presented, this.config.CRATEFLOW_API_TOKEN)) {
      throw ProblemException.unauthorized('The API token is not valid.');
    }
    return true;
  }
}
