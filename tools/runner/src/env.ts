/**
 * Environment variables the runner itself reads (listed in .env.example; a test checks). The services'
 * own settings are in their config shapes.
 */
export const RUNNER_VARIABLES = [
  'CRATEFLOW_DATA_DIR',
  'CRATEFLOW_API_TOKEN',
  'DATABASE_URL',
  'NATS_URL',
  'NATS_PREFIX',
  'LOG_LEVEL',
  'HTTP_HOST',
] as const;
