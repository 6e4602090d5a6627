import { z } from 'zod';

export const SignInBodySchema = z.strictObject({
  token: z.string().min(1).max(1024).describe('The API token (CRATEFLOW_API_TOKEN), as printed by `npm start`'),
});
export type SignInBody = z.output<typeof SignInBodySchema>;

export const SessionSchema = z.object({
  signedIn: z.boolean().describe('True when this request carries a valid session cookie or API token'),
  via: z.enum(['session', 'token']).nullable(),
  tokenRefused: z
    .boolean()
    .describe('True when the request carried an `Authorization: Bearer` token that is not the API token'),
});
export type SessionView = z.output<typeof SessionSchema>;
