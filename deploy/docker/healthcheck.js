// Docker HEALTHCHECK: the service's /health (database and NATS reachable) on HTTP_PORT answers 2xx.
'use strict';
const port = Number(process.env.HTTP_PORT || 3000);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
