import { componentSchemasOf, inputSchemaOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import {
  BulkBodySchema,
  BulkOutcomeSchema,
  DecisionBodySchema,
  EditBodySchema,
  GenerationBodySchema,
  GenerationSchema,
  ListProposalsQuerySchema,
  PreviewNodeSchema,
  PreviewQuerySchema,
  PreviewSchema,
  ProposalDetailSchema,
  ProposalPageSchema,
  ProposalViewSchema,
} from './proposals.schemas';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

export const PROPOSALS_OPENAPI_COMPONENTS = {
  Proposal: ProposalViewSchema,
  ProposalDetail: ProposalDetailSchema,
  ProposalPage: ProposalPageSchema,
  ProposalGeneration: GenerationSchema,
  ProposalBulkOutcome: BulkOutcomeSchema,
  ProposalPreview: PreviewSchema,
  ProposalPreviewNode: PreviewNodeSchema,
} as const;

const { json, problem, queryParameters, pathParameter } = openApiHelpers<keyof typeof PROPOSALS_OPENAPI_COMPONENTS>();
const idParameter = pathParameter('id', "The proposal's id");
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description: 'The ETag of the proposal as you read it ("<id>.<version>"); a stale one gets 412',
  schema: { type: 'string' },
};
const etag = { ETag: { description: 'The new version of the proposal', schema: { type: 'string' } } };

const body = (schema: z.ZodType, required = true) => ({
  required,
  content: { 'application/json': { schema: inputSchemaOf(schema) } },
});

/** The proposals routes for the gateway's document: `schemas` into components, `paths` into paths. */
export function proposalsOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  const stateChanging = { security: [{ apiToken: [] }] };
  const review = {
    '401': problem('Missing or wrong API token'),
    '404': problem('No such proposal'),
    '409': problem(
      'Not allowed now (collision, superseded, invalid, file changed or not awaiting review); the detail says why',
    ),
    '412': problem('The proposal changed since it was read (If-Match does not match)'),
    '428': problem('If-Match is missing'),
  };
  return {
    schemas: componentSchemasOf(PROPOSALS_OPENAPI_COMPONENTS),
    paths: {
      '/api/v1/proposals': {
        get: {
          operationId: 'listProposals',
          summary: 'Proposals with filters (status, confidence band, collision, kind, text), sorted, keyset-paginated',
          parameters: queryParameters(ListProposalsQuerySchema),
          responses: {
            '200': { description: 'A page', content: json('ProposalPage') },
            '400': problem('Invalid query'),
          },
        },
      },
      '/api/v1/proposals/generations': {
        post: {
          ...stateChanging,
          operationId: 'generateProposals',
          summary: 'Ask the proposer for proposals: every eligible file, or a selection',
          requestBody: body(GenerationBodySchema, false),
          responses: {
            '202': { description: 'Accepted; follow it at /api/v1/proposals/generations/{id}' },
            '400': problem('Invalid body'),
            '401': problem('Missing or wrong API token'),
          },
        },
      },
      '/api/v1/proposals/generations/{id}': {
        get: {
          operationId: 'getProposalGeneration',
          summary: 'Progress of a generation request (queued until the proposer picks it up)',
          parameters: [pathParameter('id', "The generation's id")],
          responses: { '200': { description: 'Its status and counts', content: json('ProposalGeneration') } },
        },
      },
      '/api/v1/proposals/preview': {
        get: {
          operationId: 'previewProposals',
          summary: 'The folder tree the approved (or pending) proposals would produce, with file counts',
          parameters: queryParameters(PreviewQuerySchema),
          responses: { '200': { description: 'The tree', content: json('ProposalPreview') } },
        },
      },
      '/api/v1/proposals/decisions': {
        post: {
          ...stateChanging,
          operationId: 'decideProposalsInBulk',
          summary:
            'Approve (only pending, non-colliding, at or above minConfidence) or reject many; answers applied vs skipped with reasons',
          requestBody: body(BulkBodySchema),
          responses: {
            '200': {
              description: 'What was applied and what was skipped, and why',
              content: json('ProposalBulkOutcome'),
            },
            '400': problem('Invalid body'),
            '401': problem('Missing or wrong API token'),
          },
        },
      },
      '/api/v1/proposals/{id}': {
        get: {
          operationId: 'getProposal',
          summary: 'One proposal with its context, reason and facts; the ETag is its version',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The proposal', headers: etag, content: json('ProposalDetail') },
            '404': problem('No such proposal'),
          },
        },
        patch: {
          ...stateChanging,
          operationId: 'editProposal',
          summary:
            'Change the proposed name or folder (validated; the extension is kept); the proposal is pending again',
          parameters: [idParameter, ifMatch],
          requestBody: body(EditBodySchema),
          responses: {
            '200': { description: 'The proposal', headers: etag, content: json('Proposal') },
            '400': problem('Invalid name or folder'),
            ...review,
          },
        },
      },
      '/api/v1/proposals/{id}/decision': {
        put: {
          ...stateChanging,
          operationId: 'decideProposal',
          summary: 'Approve or reject',
          parameters: [idParameter, ifMatch],
          requestBody: body(DecisionBodySchema),
          responses: {
            '200': { description: 'The proposal', headers: etag, content: json('Proposal') },
            '400': problem('Invalid body'),
            ...review,
          },
        },
      },
      '/api/v1/proposals/{id}/undo': {
        post: {
          ...stateChanging,
          operationId: 'undoProposalReview',
          summary: 'Undo the last review action (approval, rejection or edit)',
          parameters: [idParameter, ifMatch],
          responses: { '200': { description: 'The proposal', headers: etag, content: json('Proposal') }, ...review },
        },
      },
    },
  };
}
