import { z } from 'zod';
import { componentSchemasOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import { FileCompanionsSchema, FileTagsSchema } from '../metadata/metadata.schemas';
import {
  BulkOutcomeSchema,
  DuplicateComparisonSchema,
  DuplicateGroupPageSchema,
  DuplicateGroupSchema,
  ListDuplicatesQuerySchema,
  ResolveBodySchema,
} from './duplicates.schemas';

type JsonSchema = Record<string, unknown>;

/** Component schemas this part of the API adds (the file detail's `tags` and `companions` parts included). */
export const DUPLICATES_OPENAPI_COMPONENTS = {
  DuplicateGroup: DuplicateGroupSchema,
  DuplicateGroupPage: DuplicateGroupPageSchema,
  DuplicateComparison: DuplicateComparisonSchema,
  DuplicateBulkOutcome: BulkOutcomeSchema,
  FileTags: FileTagsSchema,
  FileCompanions: FileCompanionsSchema,
} as const;

const { json, problem, queryParameters, pathParameter } = openApiHelpers<keyof typeof DUPLICATES_OPENAPI_COMPONENTS>();
const keyParameter = pathParameter(
  'key',
  '`exact:<sha256>` (same bytes) or `recording:<id>` (the same recording in other encodings, found by fingerprints)',
  { type: 'string' },
);

/**
 * The OpenAPI description of the duplicates routes, built from the zod schemas that validate them, for the
 * gateway's document to merge: `schemas` into `components.schemas`, `paths` into `paths`. Refers to the
 * document's `Problem` schema and `apiToken` security scheme.
 */
export function duplicatesOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  const out = componentSchemasOf(DUPLICATES_OPENAPI_COMPONENTS);
  const { $schema: _b, ...body } = z.toJSONSchema(ResolveBodySchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const stateChanging = { security: [{ apiToken: [] }] };
  return {
    schemas: out,
    paths: {
      '/api/v1/duplicates': {
        get: {
          operationId: 'listDuplicates',
          summary: 'Duplicate groups, largest first (copies, then redundant bytes)',
          parameters: queryParameters(ListDuplicatesQuerySchema),
          responses: {
            '200': { description: 'A page of groups', content: json('DuplicateGroupPage') },
            '400': problem('Invalid query'),
          },
        },
      },
      '/api/v1/duplicates/resolutions': {
        post: {
          ...stateChanging,
          operationId: 'resolveAllDuplicates',
          summary: 'Resolve every unresolved group with its proposed canonical copy (nothing is moved or deleted)',
          responses: {
            '200': { description: 'Groups resolved and files marked', content: json('DuplicateBulkOutcome') },
            '401': problem('Missing or wrong API token'),
            '503': problem('The message bus did not confirm every file; send the request again'),
          },
        },
        delete: {
          ...stateChanging,
          operationId: 'undoAllDuplicateResolutions',
          summary: 'Undo every resolution in force',
          responses: {
            '200': { description: 'Resolutions undone and files released', content: json('DuplicateBulkOutcome') },
            '401': problem('Missing or wrong API token'),
            '503': problem('The message bus did not confirm every file; send the request again'),
          },
        },
      },
      '/api/v1/duplicates/{key}': {
        get: {
          operationId: 'compareDuplicates',
          summary: 'A group side by side: tags and stream facts of every copy, and the fields that differ',
          parameters: [keyParameter],
          responses: {
            '200': { description: 'The group', content: json('DuplicateComparison') },
            '404': problem('No such group'),
          },
        },
      },
      '/api/v1/duplicates/{key}/resolution': {
        post: {
          ...stateChanging,
          operationId: 'resolveDuplicates',
          summary: 'Keep one copy as canonical; the others are marked duplicate-resolved (nothing is moved or deleted)',
          parameters: [keyParameter],
          requestBody: { required: false, content: { 'application/json': { schema: body } } },
          responses: {
            '200': { description: 'The group, resolved', content: json('DuplicateGroup') },
            '400': problem('The chosen file is not a member of the group'),
            '401': problem('Missing or wrong API token'),
            '404': problem('No such group'),
            '409': problem('The group is already resolved with another canonical copy'),
            '503': problem('The message bus did not confirm every file; send the request again'),
          },
        },
        delete: {
          ...stateChanging,
          operationId: 'undoDuplicateResolution',
          summary: 'Undo the resolution in force; the copies go back to where the automatic chain ends',
          parameters: [keyParameter],
          responses: {
            '204': { description: 'Undone' },
            '401': problem('Missing or wrong API token'),
            '404': problem('No such group, or no resolution in force'),
            '503': problem('The message bus did not confirm every file; send the request again'),
          },
        },
      },
    },
  };
}
