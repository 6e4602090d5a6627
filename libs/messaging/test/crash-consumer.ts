/**
 * A consumer that dies inside its handler, before acknowledging: the medium test uses it to prove that
 * JetStream redelivers a message whose process crashed mid-job.
 *
 *   CRASH_NATS_URL=nats://127.0.0.1:4222 CRASH_PREFIX=t123 CRASH_DECL='<declaration JSON, handles as subject names>' \
 *     node -r @swc-node/register libs/messaging/test/crash-consumer.ts
 *
 * Prints one JSON line `{"received":{"subject","deliveryCount","fileId"}}` and exits with code 1.
 */
import { findSubject, type ConsumerDeclaration, type SubjectDefinition } from '@crateflow/contracts';
import { Messaging, type MessagingLogger } from '../src';

const silent: MessagingLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

async function main(): Promise<void> {
  const url = required('CRASH_NATS_URL');
  const prefix = required('CRASH_PREFIX');
  const spec = JSON.parse(required('CRASH_DECL')) as Omit<ConsumerDeclaration, 'handles'> & { handles: string[] };
  const handles = spec.handles.map((name): SubjectDefinition => {
    const definition = findSubject(name);
    if (!definition) throw new Error(`unknown subject ${name}`);
    return definition;
  });
  const decl: ConsumerDeclaration = { ...spec, handles };

  const messaging = await Messaging.connect({ url, prefix, name: 'crash-consumer', logger: silent });
  await messaging.consume(decl, (ctx) => {
    const payload = ctx.payload as { fileId?: string };
    process.stdout.write(
      JSON.stringify({ received: { subject: ctx.subject, deliveryCount: ctx.deliveryCount, fileId: payload.fileId } }) +
        '\n',
    );
    // Die like an OOM kill would: no ack, no nak, no drain.
    process.exit(1);
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

main().catch((err) => {
  process.stderr.write(`crash-consumer failed to start: ${(err as Error).stack}\n`);
  process.exit(2);
});
