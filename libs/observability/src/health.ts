/** A dependency a service needs to do its work; /health reports each and answers 503 if any is down. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'error';
  service: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

export async function runHealthChecks(service: string, checks: HealthCheck[], timeoutMs = 3000): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
        return [c.name, { status: 'up' as const }] as const;
      } catch (e) {
        return [c.name, { status: 'down' as const, error: (e as Error).message }] as const;
      }
    }),
  );
  const checksOut = Object.fromEntries(results);
  const ok = results.every(([, r]) => r.status === 'up');
  return { status: ok ? 'ok' : 'error', service, checks: checksOut };
}
