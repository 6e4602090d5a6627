import { parentPort } from 'node:worker_threads';

/** A TagReaderPool worker that takes every file and never answers. */
parentPort!.on('message', () => undefined);
