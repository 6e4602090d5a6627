import { Module } from '@nestjs/common';
import { SessionController } from './session.controller';

/** Wiring only: browser sign-in with the API token (session cookie + CSRF token). */
@Module({ controllers: [SessionController] })
export class SessionModule {}
