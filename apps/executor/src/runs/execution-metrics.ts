import { Counter, type Registry } from 'prom-client';

/** The executor's own metrics (prefix crateflow_, label stage; never a path). */
export function executionMetrics(registry: Registry) {
  return {
    steps: new Counter({
      name: 'crateflow_execution_steps_total',
      help: 'Journal steps recorded, by phase',
      labelNames: ['stage', 'phase'],
      registers: [registry],
    }),
    files: new Counter({
      name: 'crateflow_execution_files_total',
      help: 'File operations finished, by outcome (done, failed, pending = rolled back to run again)',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'crateflow_execution_bytes_total',
      help: 'Bytes of files moved, copied or linked',
      labelNames: ['stage'],
      registers: [registry],
    }),
    verificationFailures: new Counter({
      name: 'crateflow_execution_verification_failures_total',
      help: 'Copies whose read-back SHA-256 or size did not match the recorded hash (the copy was removed, the source kept)',
      labelNames: ['stage'],
      registers: [registry],
    }),
    reconciliations: new Counter({
      name: 'crateflow_execution_reconciliations_total',
      help: 'Interrupted operations finished by the journal reconciliation, by outcome (done, failed, pending)',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
    }),
  };
}

/** Starts every label set at 0, so a dashboard shows 0 rather than no data before the first event. */
export function initialiseExecutionMetrics(m: ExecutionMetrics): void {
  m.verificationFailures.inc({ stage: 'executor' }, 0);
  for (const outcome of ['done', 'failed', 'pending']) m.reconciliations.inc({ stage: 'executor', outcome }, 0);
}
export type ExecutionMetrics = ReturnType<typeof executionMetrics>;
