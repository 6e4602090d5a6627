import { duplicatesOpenApi } from '../duplicates/duplicates.openapi';
import { fingerprintOpenApi } from '../mixes/mixes.openapi';
import { libraryOpenApi } from '../library/library.openapi';
import { proposalsOpenApi } from '../proposals/proposals.openapi';
import { executionsOpenApi } from '../executions/executions.openapi';
import { tracklistsOpenApi } from '../tracklists/tracklists.openapi';
import { z } from 'zod';
import { EVENT_DOMAINS } from '@crateflow/contracts';
import {
  CreateScanBodySchema,
  ListScansQuerySchema,
  ScanAcceptedSchema,
  ScanPageSchema,
  ScanSchema,
} from '../scans/scan.schemas';
import { FileDetailSchema, FilePageSchema, ListFilesQuerySchema } from '../files/file.schemas';
import { PipelineStatsSchema } from '../pipeline/pipeline.schemas';
import { EventsQuerySchema } from '../events/events.schemas';
import { ProblemSchema, ProblemTypes } from '../http/problem';
import { componentSchemasOf } from './component-schemas';
import { openApiHelpers } from './openapi-helpers';

/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate requests (z.toJSONSchema
 * emits JSON Schema 2020-12, which OpenAPI 3.1 uses as is), so the document cannot drift from what the
 * gateway accepts and returns.
 */
type JsonSchema = Record<string, unknown>;

const COMPONENTS = {
  Problem: ProblemSchema,
  CreateScanRequest: CreateScanBodySchema,
  ScanAccepted: ScanAcceptedSchema,
  Scan: ScanSchema,
  ScanPage: ScanPageSchema,
  FilePage: FilePageSchema,
  FileDetail: FileDetailSchema,
  PipelineStats: PipelineStatsSchema,
} as const;

function componentSchemas(): Record<string, JsonSchema> {
  const out = componentSchemasOf(COMPONENTS);
  // The request body is documented as the caller sends it.
  const { $schema: _s, ...body } = z.toJSONSchema(CreateScanBodySchema, { io: 'input' }) as JsonSchema;
  out.CreateScanRequest = body;
  return out;
}

const { json, problem, queryParameters, pathParameter } = openApiHelpers<keyof typeof COMPONENTS>();
const idParameter = (what: string) => pathParameter('id', `The ${what}'s id`);

export function buildOpenApiDocument(options: { version: string }): JsonSchema {
  // Feature folders describe their own routes; the document merges them.
  const duplicates = duplicatesOpenApi();
  const fingerprint = fingerprintOpenApi();
  const library = libraryOpenApi();
  const proposals = proposalsOpenApi();
  const executions = executionsOpenApi();
  const tracklists = tracklistsOpenApi();
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Crateflow API',
      version: options.version,
      description: [
        "The public API of Crateflow's gateway; the web UI and the CLI use only this.",
        '',
        'Errors are `application/problem+json` (RFC 9457). Problem types: ' +
          Object.values(ProblemTypes)
            .map((t) => `\`${t}\``)
            .join(', ') +
          '.',
        'Lists use keyset pagination: pass `nextCursor` back as `cursor` until it is null.',
        'Requests that change state need `Authorization: Bearer <CRATEFLOW_API_TOKEN>`.',
      ].join('\n'),
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: '/' }],
    components: {
      schemas: {
        ...componentSchemas(),
        ...duplicates.schemas,
        ...fingerprint.schemas,
        ...library.schemas,
        ...proposals.schemas,
        ...executions.schemas,
        ...tracklists.schemas,
      },
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'The CRATEFLOW_API_TOKEN of the gateway' },
      },
    },
    paths: {
      '/api/v1/scans': {
        post: {
          operationId: 'createScan',
          summary: 'Scan a folder inside a library root',
          description: 'The path is resolved (symlinks included) and must lie inside a configured library root.',
          security: [{ apiToken: [] }],
          requestBody: { required: true, content: json('CreateScanRequest') },
          responses: {
            '202': {
              description: 'Scan queued',
              headers: { Location: { description: 'The scan resource', schema: { type: 'string' } } },
              content: json('ScanAccepted'),
            },
            '400': problem('Invalid body, or the path is outside the library roots or not reachable'),
            '401': problem('Missing or wrong API token'),
            '503': problem('The scan could not be queued'),
          },
        },
        get: {
          operationId: 'listScans',
          summary: 'Scans, newest first',
          parameters: queryParameters(ListScansQuerySchema),
          responses: {
            '200': { description: 'A page of scans', content: json('ScanPage') },
            '400': problem('Invalid query'),
          },
        },
      },
      '/api/v1/scans/{id}': {
        get: {
          operationId: 'getScan',
          summary: 'A scan: status and counts',
          parameters: [idParameter('scan')],
          responses: { '200': { description: 'The scan', content: json('Scan') }, '404': problem('No such scan') },
        },
      },
      '/api/v1/files': {
        get: {
          operationId: 'listFiles',
          summary: 'Files ordered by path, with filters',
          parameters: queryParameters(ListFilesQuerySchema),
          responses: {
            '200': { description: 'A page of files', content: json('FilePage') },
            '400': problem('Invalid query'),
          },
        },
      },
      '/api/v1/files/{id}': {
        get: {
          operationId: 'getFile',
          summary: 'A file with its stage statuses and history',
          parameters: [idParameter('file')],
          responses: {
            '200': { description: 'The file', content: json('FileDetail') },
            '404': problem('No such file'),
          },
        },
      },
      '/api/v1/pipeline/stats': {
        get: {
          operationId: 'getPipelineStats',
          summary: 'Files per state and stage status, recent failures and throughput',
          responses: { '200': { description: 'Pipeline statistics', content: json('PipelineStats') } },
        },
      },
      '/api/v1/events': {
        get: {
          operationId: 'streamEvents',
          summary: 'Live events (Server-Sent Events)',
          description:
            'Each event is `event: <subject>`, `data: <payload as JSON>`, `id: <stream sequence>`; a comment line every 15 s keeps the stream alive. ' +
            `Domains: ${EVENT_DOMAINS.join(', ')}.`,
          parameters: queryParameters(EventsQuerySchema),
          responses: {
            '200': {
              description: 'An endless event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '400': problem('Unknown event domain'),
            '503': problem('The event feed is not available'),
          },
        },
      },
      '/health': {
        get: {
          operationId: 'getHealth',
          summary: 'Database and NATS reachability',
          responses: { '200': { description: 'Healthy' }, '503': { description: 'A dependency is down' } },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Metrics in the text format' } },
        },
      },
    },
  };
  Object.assign(
    document.paths,
    duplicates.paths,
    fingerprint.paths,
    library.paths,
    proposals.paths,
    executions.paths,
    tracklists.paths,
  );
  return document;
}
