import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONFIG } from '@crateflow/service-host';
import type { GatewayConfig } from '../gateway.config';
import { bearerToken, tokenMatches } from '../http/api-token.guard';
import { ProblemException } from '../http/problem';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { SignInBodySchema, type SessionView, type SignInBody } from './session.schemas';
import { CSRF_COOKIE, cookieHeader, parseCookies, SESSION_COOKIE, SessionTokens } from './session-tokens';

/** Sign in once per browser with the API token; the browser then holds an HttpOnly session cookie. */
@Controller('api/v1/session')
export class SessionController {
  private readonly tokens: SessionTokens;

  constructor(@Inject(CONFIG) private readonly config: Pick<GatewayConfig, 'CRATEFLOW_API_TOKEN'>) {
    this.tokens = new SessionTokens(config.CRATEFLOW_API_TOKEN);
  }

  @Get()
  current(@Req() req: Request): SessionView {
    const presented = bearerToken(req.headers.authorization);
    if (presented !== undefined) {
      const ok = tokenMatches(presented, this.config.CRATEFLOW_API_TOKEN);
      return { signedIn: ok, via: ok ? 'token' : null, tokenRefused: !ok };
    }
    const session = this.tokens.verifySession(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
    return { signedIn: Boolean(session), via: session ? 'session' : null, tokenRefused: false };
  }

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  signIn(@Body(new ZodValidationPipe(SignInBodySchema)) body: SignInBody, @Req() req: Request, @Res() res: Response) {
    if (!tokenMatches(body.token, this.config.CRATEFLOW_API_TOKEN)) {
      throw ProblemException.unauthorized('The API token is not valid.');
    }
    const issued = this.tokens.issue();
    const secure = req.secure;
    res.setHeader('Set-Cookie', [
      cookieHeader(SESSION_COOKIE, issued.session, { maxAgeSec: issued.maxAgeSec, httpOnly: true, secure }),
      cookieHeader(CSRF_COOKIE, issued.csrf, { maxAgeSec: issued.maxAgeSec, httpOnly: false, secure }),
    ]);
    res.setHeader('Cache-Control', 'no-store');
    res.status(HttpStatus.NO_CONTENT).end();
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  signOut(@Req() req: Request, @Res() res: Response) {
    const secure = req.secure;
    res.setHeader('Set-Cookie', [
      cookieHeader(SESSION_COOKIE, '', { maxAgeSec: 0, httpOnly: true, secure }),
      cookieHeader(CSRF_COOKIE, '', { maxAgeSec: 0, httpOnly: false, secure }),
    ]);
    res.status(HttpStatus.NO_CONTENT).end();
  }
}
