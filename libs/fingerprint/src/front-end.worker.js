// @ts-check
// The fingerprint front-end thread of identifyMix (front-end.ts starts it): PCM in, peaks out. Plain JavaScript,
// started with an empty execArgv as the executor starts its file workers, so a thread does not load
// @swc-node/register (and the TypeScript compiler it reads tsconfig with: ~0.5 s per thread). The front-end's
// own modules (peaks.ts and what it imports, none of them using decorators or path aliases) are compiled here
// with @swc/core directly, ~0.1 s; where they exist as JavaScript they are loaded as they are.
//
// Messages in: { type: 'pcm', samples: Float32Array } (any chunk size), then { type: 'end' }.
// Messages out, one per message in: { type: 'peaks' | 'done', count, time, frame, bin, freq, score, level,
// finalFrame, stats } (the peaks decided since the previous message, as typed arrays transferred), or
// { type: 'error', message, stack }.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');

if (!require.extensions['.ts'] && !fs.existsSync(path.join(__dirname, 'peaks.js'))) {
  const swc = require('@swc/core');
  const options = {
    swcrc: false,
    jsc: {
      parser: { syntax: /** @type {const} */ ('typescript') },
      target: /** @type {const} */ ('es2022'),
      keepClassNames: true,
    },
    module: { type: /** @type {const} */ ('commonjs') },
    sourceMaps: /** @type {const} */ ('inline'),
  };
  require.extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
    /** @type {any} */ (module)._compile(code, filename);
  };
}

const { PeakExtractor } = require('./peaks');
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const extractor = new PeakExtractor((workerData && workerData.peakParams) || {});

/** Sends the peaks decided since the last message, and empties the thread's own list (the caller keeps them). */
function send(/** @type {'peaks' | 'done'} */ type) {
  const p = extractor.peaks;
  const n = p.length;
  const message = {
    type,
    count: n,
    time: p.time.slice(0, n),
    frame: p.frame.slice(0, n),
    bin: p.bin.slice(0, n),
    freq: p.freq.slice(0, n),
    score: p.score.slice(0, n),
    level: p.level.slice(0, n),
    finalFrame: type === 'done' ? Number.MAX_SAFE_INTEGER : extractor.finalFrame,
    stats: { ...extractor.stats },
  };
  // The picker only ever appends to its list: emptying it here is safe and keeps the thread's memory flat.
  p.length = 0;
  const transfer = [message.time, message.frame, message.bin, message.freq, message.score, message.level];
  port.postMessage(
    message,
    transfer.map((a) => a.buffer),
  );
}

port.on('message', (/** @type {{ type: 'pcm', samples: Float32Array } | { type: 'end' }} */ msg) => {
  try {
    if (msg.type === 'pcm') {
      extractor.push(msg.samples);
      send('peaks');
    } else if (msg.type === 'end') {
      extractor.finish();
      send('done');
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', message: e.message, stack: e.stack });
  }
});
