// A stand-in for the Essentia worker, for testing the pool's failure handling. The first sample of the
// window chooses the behaviour: 1 hangs, 2 throws (uncaught), 3 exits; anything else answers at once.
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (call) => {
  const mode = call.request.samples[0];
  if (mode === 1) for (;;);
  if (mode === 2) throw new Error('boom');
  if (mode === 3) process.exit(3);
  parentPort.postMessage({
    id: call.id,
    ok: true,
    result: { startSec: call.request.startSec, durationSec: 1, heapBytes: call.request.samples.length * 4, errors: [] },
  });
});
