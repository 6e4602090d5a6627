import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { runHealthChecks, type HealthCheck } from '@crateflow/observability';
import { METRICS, SERVICE_NAME } from './tokens';

export const HEALTH_CHECKS = Symbol('crateflow.health-checks');

/** /health and /metrics, the same on every service (Kubernetes probes and Prometheus scrape these). */
@Controller()
export class OpsController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(METRICS) private readonly registry: Registry,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
  ) {}

  @Get('health')
  async health(@Res() res: Response) {
    const report = await runHealthChecks(this.service, this.checks);
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response) {
    res.setHeader('Content-Type', this.registry.contentType);
    res.send(await this.registry.metrics());
  }
}
