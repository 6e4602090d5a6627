import { z } from 'zod';
import { componentSchemasOf } from '../openapi/component-schemas';
import { SessionSchema, SignInBodySchema } from '../session/session.schemas';
import { LibraryOverviewSchema } from './library.schemas';

type JsonSchema = Record<string, unknown>;

export const LIBRARY_OPENAPI_COMPONENTS = {
  LibraryOverview: LibraryOverviewSchema,
  Session: SessionSchema,
} as const;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/** The library overview and the browser session routes, for the gateway's document to merge. */
export function libraryOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  const { $schema: _s, ...signIn } = z.toJSONSchema(SignInBodySchema, { io: 'input' }) as JsonSchema;
  return {
    schemas: componentSchemasOf(LIBRARY_OPENAPI_COMPONENTS),
    paths: {
      '/api/v1/library/overview': {
        get: {
          operationId: 'getLibraryOverview',
          summary: 'BPM histogram, keys, formats and sizes, duplicate waste (cached for 30 s)',
          responses: {
            '200': { description: 'The overview', content: { 'application/json': { schema: ref('LibraryOverview') } } },
          },
        },
      },
      '/api/v1/session': {
        get: {
          operationId: 'getSession',
          summary: 'Whether this request is signed in (session cookie) or carries a valid API token',
          responses: {
            '200': { description: 'The session', content: { 'application/json': { schema: ref('Session') } } },
          },
        },
        post: {
          operationId: 'signIn',
          summary: 'Sign a browser in with the API token',
          description:
            'Sets an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie (`crateflow_csrf`). ' +
            'State-changing requests of the session must echo the CSRF cookie in the `X-CSRF-Token` header.',
          requestBody: { required: true, content: { 'application/json': { schema: signIn } } },
          responses: { '204': { description: 'Signed in' }, '401': problem('The token is not valid') },
        },
        delete: {
          operationId: 'signOut',
          summary: 'End the browser session',
          security: [{ apiToken: [] }],
          responses: { '204': { description: 'Signed out' }, '401': problem('Not signed in') },
        },
      },
    },
  };
}
