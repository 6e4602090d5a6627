import { readTask, serveTagReads } from '../../tag-reader.worker-loop';

/** A real TagReaderPool worker, except that it dies when it comes to a file whose name contains "poison". */
serveTagReads((task) => {
  if (String(task.path).includes('poison')) process.exit(3);
  return readTask(task);
});
