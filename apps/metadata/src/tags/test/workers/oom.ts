import { parentPort } from 'node:worker_threads';

/** A TagReaderPool worker that allocates until V8 gives up. */
parentPort!.on('message', () => {
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array(1_000_000).fill(1));
});
