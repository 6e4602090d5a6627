import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import type { Logger } from '@crateflow/observability';
import { LOGGER, METRICS } from '@crateflow/service-host';
import type { GatewayConfig } from './gateway.config';
import { httpMetrics } from './http/http-metrics';
import { jsonBodiesOnly } from './http/json-only';
import { hostAllowList, problemOnClientError, rejectInvalidText } from './http/request-guards';
import { EXCERPT_CONTENT_TYPE } from './identify/identify.schemas';
import { ProblemFilter } from './http/problem.filter';
import { securityHeaders } from './http/security-headers';
import { buildOpenApiDocument } from './openapi/openapi';
import { loadUiAssets, serveUi } from './ui/static-ui';

export const DOCS_PATH = '/api/docs';
export const OPENAPI_JSON_PATH = '/api/docs/openapi.json';

/** HTTP concerns around the controllers: metrics, security headers, problem+json errors, OpenAPI, the UI. */
export function configureGatewayApp(
  app: INestApplication,
  config: Pick<GatewayConfig, 'CRATEFLOW_UI_ENABLED' | 'CRATEFLOW_LIBRARY_ROOTS' | 'CRATEFLOW_PUBLIC_HOSTS'> &
    Partial<Pick<GatewayConfig, 'CRATEFLOW_OUTPUT_ROOT'>>,
): void {
  const logger = app.get<Logger>(LOGGER);
  const registry = app.get<Registry>(METRICS);
  const http = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  http.disable?.('x-powered-by');

  app.use(httpMetrics(registry));
  app.use(securityHeaders(DOCS_PATH));
  // Issue 9 request hygiene, before anything reads the request: the Host is ours, the text is valid.
  app.use(hostAllowList(config.CRATEFLOW_PUBLIC_HOSTS));
  app.use(rejectInvalidText('/api/'));
  problemOnClientError(app.getHttpServer());
  keepIdleConnectionsLonger(app.getHttpServer());
  app.use(
    jsonBodiesOnly('/api/', [
      {
        method: 'POST',
        path: '/api/v1/identify',
        types: EXCERPT_CONTENT_TYPE,
        accepts: 'audio/*, video/* or application/octet-stream',
      },
    ]),
  );
  app.useGlobalFilters(new ProblemFilter(logger));

  const document = buildOpenApiDocument({ version: '0.1.0' }) as unknown as OpenAPIObject;
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Crateflow API',
  });

  if (config.CRATEFLOW_UI_ENABLED) app.use(serveUi(loadUiAssets()));
  if (config.CRATEFLOW_LIBRARY_ROOTS.length === 0 && !config.CRATEFLOW_OUTPUT_ROOT?.trim()) {
    logger.warn('CRATEFLOW_LIBRARY_ROOTS is empty: every scan request will be refused');
  }
}

/**
 * Node closes an idle kept-alive connection after 5 s, close to the ~4 s after which clients (undici, browsers)
 * stop reusing one. A client whose event loop was busy past its own timer (the CLI or a test decoding audio
 * synchronously) then sends its next request, an upload say, on a socket the server has just closed, and sees
 * "other side closed" for a request that never arrived. A server that keeps idle connections well past any
 * client's reuse window (65 s, as behind common load balancers) leaves the decision to the client; the head
 * timeout must exceed it, or Node drops a slow-starting head on a reused connection.
 */
function keepIdleConnectionsLonger(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}
