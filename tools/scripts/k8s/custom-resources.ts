import { z } from 'zod';

/**
 * Schemas for the custom resources the chart renders, which kubernetes-models does not ship: KEDA's
 * ScaledObject (keda.sh/v1alpha1) and the Prometheus Operator's ServiceMonitor and PrometheusRule
 * (monitoring.coreos.com/v1). Written from the projects' published specifications (KEDA's "ScaledObject
 * specification" and "NATS JetStream" scaler pages; the operator's API reference), strict where the chart
 * writes fields so that a misspelt or misplaced field fails here rather than in a cluster.
 */
const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 name')
  .max(63);
const metadata = z.object({
  name,
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const numeric = z.string().regex(/^\d+$/, 'a number as a string (trigger metadata values are strings)');

const natsJetStreamTrigger = z.strictObject({
  type: z.literal('nats-jetstream'),
  name: z.string().optional(),
  metadata: z.strictObject({
    natsServerMonitoringEndpoint: z.string().regex(/^[^/\s]+:\d+$/, 'host:port, without a scheme'),
    account: z.string().min(1),
    stream: z.string().regex(/^[^.\s*>]+$/, 'a JetStream stream name'),
    consumer: z.string().regex(/^[^.\s*>]+$/, 'a JetStream consumer name'),
    lagThreshold: numeric,
    activationLagThreshold: numeric.optional(),
    useHttps: z.enum(['true', 'false']).optional(),
  }),
  authenticationRef: z.strictObject({ name, kind: z.string().optional() }).optional(),
});

export const ScaledObjectSchema = z.strictObject({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata,
  spec: z.strictObject({
    scaleTargetRef: z.strictObject({
      name,
      apiVersion: z.string().optional(),
      kind: z.string().optional(),
      envSourceContainerName: z.string().optional(),
    }),
    pollingInterval: z.number().int().positive().optional(),
    cooldownPeriod: z.number().int().nonnegative().optional(),
    initialCooldownPeriod: z.number().int().nonnegative().optional(),
    idleReplicaCount: z.number().int().nonnegative().optional(),
    minReplicaCount: z.number().int().nonnegative().optional(),
    maxReplicaCount: z.number().int().positive().optional(),
    fallback: z.object({ failureThreshold: z.number().int(), replicas: z.number().int() }).optional(),
    advanced: z.object({}).passthrough().optional(),
    triggers: z.array(natsJetStreamTrigger).min(1),
  }),
});

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
    .optional(),
});
const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration');

export const ServiceMonitorSchema = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('ServiceMonitor'),
  metadata,
  spec: z.strictObject({
    selector: labelSelector,
    namespaceSelector: z.object({ any: z.boolean().optional(), matchNames: z.array(z.string()).optional() }).optional(),
    jobLabel: z.string().optional(),
    endpoints: z
      .array(
        z.strictObject({
          port: z.string().optional(),
          targetPort: z.union([z.string(), z.number()]).optional(),
          path: z.string().startsWith('/').optional(),
          scheme: z.enum(['http', 'https']).optional(),
          interval: duration.optional(),
          scrapeTimeout: duration.optional(),
        }),
      )
      .min(1),
  }),
});

export const PrometheusRuleSchema = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata,
  spec: z.strictObject({
    groups: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          interval: duration.optional(),
          rules: z
            .array(
              z
                .strictObject({
                  alert: z.string().optional(),
                  record: z.string().optional(),
                  expr: z.union([z.string().min(1), z.number()]),
                  for: duration.optional(),
                  labels: z.record(z.string(), z.string()).optional(),
                  annotations: z.record(z.string(), z.string()).optional(),
                })
                .refine((r) => !!r.alert !== !!r.record, 'a rule is either an alert or a recording rule'),
            )
            .min(1),
        }),
      )
      .min(1),
  }),
});

export const CUSTOM_RESOURCE_SCHEMAS: Record<string, z.ZodType> = {
  'keda.sh/v1alpha1/ScaledObject': ScaledObjectSchema,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitorSchema,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRuleSchema,
};
