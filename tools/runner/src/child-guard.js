// Preloaded (node -r) into every service the runner starts. The runner stops its services itself on
// Ctrl-C; this covers the runner being killed outright (kill -9, a closed terminal): the service sees
// that its parent is gone and shuts down on its own instead of running on unattended.
'use strict';
/* global setInterval, clearInterval, setTimeout */
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM'); // the service's own graceful shutdown
  setTimeout(() => process.exit(1), 20_000).unref(); // and a deadline, in case that hangs
}, 1000);
watch.unref();
