import { componentSchemasOf, inputSchemaOf } from '../openapi/component-schemas';
import { openApiHelpers } from '../openapi/openapi-helpers';
import {
  AcceptedSchema,
  AuditPageSchema,
  AuditQuerySchema,
  CreateExecutionBodySchema,
  CreatePlanBodySchema,
  ExecutionPageSchema,
  ExecutionSchema,
  ListExecutionsQuerySchema,
  PlanSchema,
  RelinkEntrySchema,
  UndoBodySchema,
} from './executions.schemas';

type JsonSchema = Record<string, unknown>;

export const EXECUTIONS_OPENAPI_COMPONENTS = {
  ExecutionPlan: PlanSchema,
  Execution: ExecutionSchema,
  ExecutionPage: ExecutionPageSchema,
  ExecutionAccepted: AcceptedSchema,
  AuditPage: AuditPageSchema,
  RelinkEntry: RelinkEntrySchema,
} as const;

const { ref, json, problem, queryParameters, pathParameter } =
  openApiHelpers<keyof typeof EXECUTIONS_OPENAPI_COMPONENTS>();
const idParameter = pathParameter('id', "The execution's id");
const stateChanging = { security: [{ apiToken: [] }] };

/** The OpenAPI description of plans, executions, undo, relink maps and the audit log. */
export function executionsOpenApi(): { schemas: Record<string, JsonSchema>; paths: Record<string, JsonSchema> } {
  return {
    schemas: componentSchemasOf(EXECUTIONS_OPENAPI_COMPONENTS),
    paths: {
      '/api/v1/executions/plans': {
        post: {
          ...stateChanging,
          operationId: 'createExecutionPlan',
          summary:
            'Plan (dry run) the approved proposals: every operation with its final path, blocked items with reasons, totals',
          description:
            'The executor computes and stores the plan; nothing on disk changes. 201 with the plan when ready within 20 s, else 202 (fetch it by id).',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: inputSchemaOf(CreatePlanBodySchema) } },
          },
          responses: {
            '201': { description: 'The stored plan', content: json('ExecutionPlan') },
            '202': { description: 'Still computing', content: json('ExecutionAccepted') },
            '400': problem('Invalid body'),
            '401': problem('Missing or wrong API token'),
          },
        },
      },
      '/api/v1/executions/plans/{id}': {
        get: {
          operationId: 'getExecutionPlan',
          summary: 'A stored plan with its items',
          parameters: [pathParameter('id', "The plan's id")],
          responses: {
            '200': { description: 'The plan', content: json('ExecutionPlan') },
            '404': problem('No such plan (yet)'),
          },
        },
      },
      '/api/v1/executions': {
        post: {
          ...stateChanging,
          operationId: 'startExecution',
          summary: 'Run exactly a stored plan, in the background',
          description:
            'Refused (409) when the plan is not ready or anything in it changed since; the executor also re-checks the disk and refuses a stale plan. Progress on GET /api/v1/executions/{id}/events.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: inputSchemaOf(CreateExecutionBodySchema) } },
          },
          responses: {
            '202': { description: 'Queued', content: json('ExecutionAccepted') },
            '404': problem('No such plan'),
            '409': problem('The plan is stale or already executed'),
          },
        },
        get: {
          operationId: 'listExecutions',
          summary: 'Executions and undos, newest first',
          parameters: queryParameters(ListExecutionsQuerySchema),
          responses: { '200': { description: 'A page', content: json('ExecutionPage') } },
        },
      },
      '/api/v1/executions/{id}': {
        get: {
          operationId: 'getExecution',
          summary: 'An execution: status, counts, bytes and its failed items with reasons',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The execution', content: json('Execution') },
            '404': problem('No such execution'),
          },
        },
      },
      '/api/v1/executions/{id}/events': {
        get: {
          operationId: 'streamExecution',
          summary:
            'Live progress (SSE): execution.run.progressed (files, totals, bytes, rate, ETA), then execution.run.finished',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/api/v1/executions/{id}/undo': {
        post: {
          ...stateChanging,
          operationId: 'undoExecution',
          summary: 'Move the files of an execution back (all, or the listed operations) by the same protocol',
          description:
            'Per file it refuses when the original path is taken or the file changed since; a copy is removed only while still identical to what was written.',
          parameters: [idParameter],
          requestBody: { required: false, content: { 'application/json': { schema: inputSchemaOf(UndoBodySchema) } } },
          responses: {
            '202': { description: 'The undo execution, queued', content: json('ExecutionAccepted') },
            '404': problem('No such execution'),
            '409': problem('The execution is still running, or is itself an undo'),
          },
        },
      },
      '/api/v1/executions/{id}/relink.json': {
        get: {
          operationId: 'getRelinkMapJson',
          summary: 'Old → new paths of the files the execution moved or copied (for rekordbox, Serato, Traktor)',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'The map',
              content: { 'application/json': { schema: { type: 'array', items: ref('RelinkEntry') } } },
            },
            '404': problem('No such execution'),
          },
        },
      },
      '/api/v1/executions/{id}/relink.csv': {
        get: {
          operationId: 'getRelinkMapCsv',
          summary: 'The relink map as CSV (old_path,new_path,role,file_id; every field quoted)',
          parameters: [idParameter],
          responses: {
            '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
            '404': problem('No such execution'),
          },
        },
      },
      '/api/v1/audit': {
        get: {
          operationId: 'listAuditSteps',
          summary: 'Every journal step of every execution, newest first, with times, hashes and errors',
          parameters: queryParameters(AuditQuerySchema),
          responses: {
            '200': { description: 'A page of steps', content: json('AuditPage') },
            '400': problem('Invalid query'),
          },
        },
      },
    },
  };
}
