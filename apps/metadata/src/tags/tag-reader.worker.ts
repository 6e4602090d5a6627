import { serveTagReads } from './tag-reader.worker-loop';

/** Entry module of TagReaderPool's worker threads. */
serveTagReads();
