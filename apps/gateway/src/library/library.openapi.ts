import { z } from 'zod';
import { componentSchemasOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import { SessionSchema, SignInBodySchema } from '../session/session.schemas';
import { RetryAcceptedSchema, RetryBodySchema } from '../retries/retries.schemas';
import { LibraryOverviewSchema, LibraryRootsSchema } from './library.schemas';

type JsonSchema = Record<string, unknown>;

export const LIBRARY_OPENAPI_COMPONENTS = {
  LibraryOverview: LibraryOverviewSchema,
  LibraryRoots: LibraryRootsSchema,
  Session: SessionSchema,
  RetryAccepted: RetryAcceptedSchema,
} as const;

const { json, problem } = openApiHelpers<keyof typeof LIBRARY_OPENAPI_COMPONENTS>();

/** The library overview, failed-stage retries and the browser session routes, for the gateway's document to merge. */
export function libraryOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  const { $schema: _s, ...signIn } = z.toJSONSchema(SignInBodySchema, { io: 'input' }) as JsonSchema;
  const { $schema: _r, ...retryBody } = z.toJSONSchema(RetryBodySchema, { io: 'input' }) as JsonSchema;
  return {
    schemas: componentSchemasOf(LIBRARY_OPENAPI_COMPONENTS),
    paths: {
      '/api/v1/library/overview': {
        get: {
          operationId: 'getLibraryOverview',
          summary: 'BPM histogram, keys, formats and sizes, duplicate waste (cached for 30 s)',
          responses: {
            '200': { description: 'The overview', content: json('LibraryOverview') },
          },
        },
      },
      '/api/v1/library/roots': {
        get: {
          operationId: 'listLibraryRoots',
          summary:
            'The library roots scans may start in (CRATEFLOW_LIBRARY_ROOTS), each checked on disk, with its newest scan',
          responses: {
            '200': { description: 'The roots in their configured order', content: json('LibraryRoots') },
          },
        },
      },
      '/api/v1/pipeline/retries': {
        post: {
          operationId: 'retryFailedStages',
          summary: 'Send the files a stage failed through it again (at most 1,000 per request)',
          security: [{ apiToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: retryBody } } },
          responses: {
            '202': {
              description: 'The retries are queued',
              content: json('RetryAccepted'),
            },
            '400': problem('Invalid body'),
            '401': problem('Not signed in and no valid API token'),
          },
        },
      },
      '/api/v1/session': {
        get: {
          operationId: 'getSession',
          summary: 'Whether this request is signed in (session cookie) or carries a valid API token',
          responses: {
            '200': { description: 'The session', content: json('Session') },
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
