import { parentPort } from 'node:worker_threads';

/** A TagReaderPool worker that dies on the first file. */
parentPort!.on('message', () => process.exit(3));
