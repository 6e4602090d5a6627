import type { NextFunction, Request, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

export const HTTP_METRIC = 'crateflow_http_request_seconds';

/**
 * The route label: the template express matched (`/api/v1/files/:id`), never the raw path, which would
 * carry ids and file names and grow without bound. Requests no route matched share one label.
 */
export function routeLabel(req: Request, res: Response): string {
  const fixed = (res.locals as { routeLabel?: unknown }).routeLabel;
  if (typeof fixed === 'string') return fixed;
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`;
  return 'unmatched';
}

/** Records every request's duration by method, route template and status. */
export function httpMetrics(registry: Registry) {
  const histogram =
    (registry.getSingleMetric(HTTP_METRIC) as Histogram<'method' | 'route' | 'status'> | undefined) ??
    new Histogram({
      name: HTTP_METRIC,
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
      registers: [registry],
    });
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      histogram.observe({ method: req.method, route: routeLabel(req, res), status: String(res.statusCode) }, seconds);
    };
    res.once('finish', record);
    // A client that hangs up (an event stream ending) never sees 'finish'.
    res.once('close', record);
    next();
  };
}

/** Marks requests a middleware (not a route) answers, e.g. the UI's static files. */
export function fixedRouteLabel(label: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    (res.locals as { routeLabel?: string }).routeLabel = label;
    next();
  };
}
