/**
 * Worker-thread entry: owns one essentia.js instance (and its WASM heap) and analyses windows sent by
 * the pool. Ending the thread is the only way to give the heap back, which the pool does after a number
 * of calls or when the heap has grown.
 */
import { parentPort } from 'node:worker_threads';
import { loadEssentia } from './load';
import { type WindowRequest, analyzeWindow, transferablesOf } from '../window';

export interface WorkerCall {
  id: number;
  request: WindowRequest;
}

export type WorkerReply =
  | { id: number; ok: true; result: ReturnType<typeof analyzeWindow> }
  | { id: number; ok: false; error: string; fatal: boolean };

if (!parentPort) throw new Error('essentia worker must run in a worker thread');
const port = parentPort;
const essentia = loadEssentia();

port.on('message', (call: WorkerCall) => {
  try {
    const result = analyzeWindow(essentia, call.request);
    port.postMessage({ id: call.id, ok: true, result } satisfies WorkerReply, transferablesOf(result));
  } catch (e) {
    // Anything escaping analyzeWindow is not an algorithm's own exception (those are caught per algorithm):
    // treat the module as unusable so the pool replaces this thread.
    port.postMessage({
      id: call.id,
      ok: false,
      error: e instanceof Error ? e.message : String(e),
      fatal: true,
    } satisfies WorkerReply);
  }
});
port.postMessage({ ready: true, version: essentia.version });
