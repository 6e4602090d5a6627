/** The few calls the runner makes to the services: health, and starting and following a scan. */

export interface ScanCountsView {
  found: number;
  new: number;
  changed: number;
  unchanged: number;
  missing: number;
  errors: number;
  ignored: number;
  symlinksSkipped?: number;
  unstable?: number;
  bytesHashed: number;
}

export interface ScanView {
  id: string;
  path: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: ScanCountsView;
  error: string | null;
}

/** True when GET <url>/health answers 200 (the service reaches its database and NATS). */
export async function isHealthy(baseUrl: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function problemText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string };
    return [problem.title, problem.detail].filter(Boolean).join(': ') || `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
  }
}

/** POST /api/v1/scans; returns the scan id. */
export async function requestScan(baseUrl: string, token: string, folder: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/scans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: folder }),
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status !== 202) throw new Error(`the gateway refused the scan: ${await problemText(res)}`);
  const body = (await res.json()) as { id?: string };
  if (!body.id) throw new Error('the gateway accepted the scan but returned no id');
  return body.id;
}

export async function getScan(baseUrl: string, id: string): Promise<ScanView> {
  const res = await fetch(`${baseUrl}/api/v1/scans/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`could not read scan ${id}: ${await problemText(res)}`);
  return (await res.json()) as ScanView;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** One line about a scan, for the terminal. */
export function describeScan(scan: ScanView): string {
  const c = scan.counts;
  if (scan.status === 'queued') return 'scan queued, waiting for ingest';
  const parts = [`${c.found} files found`, `${c.new} new`, `${c.changed} changed`, `${c.unchanged} unchanged`];
  if (c.missing) parts.push(`${c.missing} missing`);
  if (c.errors) parts.push(`${c.errors} unreadable`);
  if (c.ignored) parts.push(`${c.ignored} other files ignored`);
  parts.push(`${formatBytes(c.bytesHashed)} hashed`);
  const head = scan.status === 'running' ? 'scanning' : scan.status === 'completed' ? 'scan complete' : 'scan FAILED';
  return `${head}: ${parts.join(', ')}${scan.error ? ` — ${scan.error}` : ''}`;
}
