import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'crateflow_session';
export const CSRF_COOKIE = 'crateflow_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** A browser session lasts 30 days; signing in again renews it. */
export const SESSION_MAX_AGE_SEC = 30 * 24 * 3600;

/**
 * Browser sessions without server state: the session cookie is `<id>.<expiry>.<mac>`, the MAC keyed by the
 * API token, so changing the token ends every session. The CSRF token is a second MAC of the same id:
 * a page can read it (it is not HttpOnly) and must echo it in `X-CSRF-Token`; another site can neither
 * read it nor make one that fits the session.
 */
export class SessionTokens {
  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): { session: string; csrf: string; maxAgeSec: number } {
    const id = randomBytes(18).toString('base64url');
    const expires = Math.floor(this.now() / 1000) + SESSION_MAX_AGE_SEC;
    const body = `${id}.${expires}`;
    return {
      session: `${body}.${this.mac('session', body)}`,
      csrf: this.mac('csrf', id),
      maxAgeSec: SESSION_MAX_AGE_SEC,
    };
  }

  /** The session id when the cookie is one we made and has not expired. */
  verifySession(cookie: string | undefined): string | undefined {
    if (!cookie) return undefined;
    const parts = cookie.split('.');
    if (parts.length !== 3) return undefined;
    const [id, expires, mac] = parts;
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < this.now()) return undefined;
    return equal(mac, this.mac('session', `${id}.${expires}`)) ? id : undefined;
  }

  verifyCsrf(sessionId: string, presented: string | undefined): boolean {
    return presented !== undefined && equal(presented, this.mac('csrf', sessionId));
  }

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`crateflow:${purpose}:${value}`).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Cookies of a request header, by name (first wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      // a cookie that is not valid percent-encoding is not one of ours
    }
  }
  return out;
}

export function cookieHeader(
  name: string,
  value: string,
  options: { maxAgeSec: number; httpOnly: boolean; secure: boolean },
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    `Max-Age=${options.maxAgeSec}`,
    'SameSite=Strict',
    options.httpOnly ? 'HttpOnly' : '',
    options.secure ? 'Secure' : '',
  ]
    .filter(Boolean)
    .join('; ');
}
