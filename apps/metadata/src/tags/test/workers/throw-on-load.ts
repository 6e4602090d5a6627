/** A TagReaderPool worker that fails before it can answer anything. */
throw new Error('this worker cannot start');
