/**
 * The real Essentia worker, except that the window starting at 30 s hangs: for testing that one window
 * overrunning its limit costs that window only.
 */
import { parentPort } from 'node:worker_threads';
import { loadEssentia } from '../src/essentia/load';
import { analyzeWindow, transferablesOf } from '../src/window';
import type { WorkerCall } from '../src/essentia/worker';

const port = parentPort!;
const essentia = loadEssentia();
port.on('message', (call: WorkerCall) => {
  if (call.request.startSec === 30) for (;;);
  const result = analyzeWindow(essentia, call.request);
  port.postMessage({ id: call.id, ok: true, result }, transferablesOf(result));
});
