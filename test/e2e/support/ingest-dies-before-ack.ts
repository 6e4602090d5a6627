/**
 * The real ingest service, instrumented for the redelivery fault test: once its lifecycle has applied a
 * `file.ingest.changed` event (committed to the database) it prints `APPLIED-CHANGED <fileId>` and never
 * returns, so the message is never acknowledged. The test then kills the process with SIGKILL: the worst
 * moment for a crash, between the database commit and the ack, so JetStream redelivers an applied event.
 */
import { LifecycleService } from '../../../apps/ingest/src/lifecycle/lifecycle.service';

const apply = LifecycleService.prototype.fileIngested;
LifecycleService.prototype.fileIngested = async function (this: LifecycleService, ...args) {
  await apply.apply(this, args);
  if (args[0] !== 'changed') return;
  process.stdout.write(`APPLIED-CHANGED ${args[1]}\n`);
  await new Promise<never>(() => undefined);
};

require('../../../apps/ingest/src/main');
