import type { ExecutionContext } from '@nestjs/common';
import { ApiTokenGuard, bearerToken, tokenMatches } from './api-token.guard';
import { ProblemException } from './problem';

const TOKEN = 'correct-horse-battery-staple-42';

function context(method: string, authorization?: string): ExecutionContext {
  const req = { method, headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

function rejection(fn: () => unknown): ProblemException {
  try {
    fn();
  } catch (e) {
    return e as ProblemException;
  }
  throw new Error('expected the guard to refuse');
}

describe('ApiTokenGuard', () => {
  const guard = new ApiTokenGuard({ CRATEFLOW_API_TOKEN: TOKEN });

  it('lets reads through without a token', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) expect(guard.canActivate(context(method))).toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'refuses %s without a token, with a 401 problem and WWW-Authenticate',
    (method) => {
      const e = rejection(() => guard.canActivate(context(method)));
      expect(e).toBeInstanceOf(ProblemException);
      expect(e.getStatus()).toBe(401);
      expect(e.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="crateflow"' });
    },
  );

  it('refuses a wrong token, a prefix of the token and other schemes', () => {
    for (const header of [
      'Bearer wrong-token-wrong-token',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer ',
    ]) {
      expect(rejection(() => guard.canActivate(context('POST', header))).getStatus()).toBe(401);
    }
  });

  it('accepts the right token (scheme case-insensitive)', () => {
    expect(guard.canActivate(context('POST', `Bearer ${TOKEN}`))).toBe(true);
    expect(guard.canActivate(context('DELETE', `bearer ${TOKEN}`))).toBe(true);
  });

  it('never puts the token in the problem it answers with', () => {
    const e = rejection(() => guard.canActivate(context('POST', 'Bearer attacker-guess-123456')));
    expect(JSON.stringify({ detail: e.detail, errors: e.errors })).not.toContain(TOKEN);
    expect(e.detail).not.toContain('attacker-guess');
  });
});

describe('bearerToken / tokenMatches', () => {
  it('extracts the token of a bearer header', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeUndefined();
    expect(bearerToken('Bearer two words')).toBeUndefined();
  });

  it('compares whole tokens', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });

  it('asks for the token on reads too when CRATEFLOW_READS_NEED_TOKEN is on (probes stay open)', () => {
    const strict = new ApiTokenGuard({ CRATEFLOW_API_TOKEN: TOKEN, CRATEFLOW_READS_NEED_TOKEN: true });
    expect(rejection(() => strict.canActivate(context('GET'))).getStatus()).toBe(401);
    expect(strict.canActivate(context('GET', `Bearer ${TOKEN}`))).toBe(true);
  });
});
