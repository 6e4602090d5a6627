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
  };
}
export type ExecutionMetrics = ReturnType<typeof executionMetrics>;
