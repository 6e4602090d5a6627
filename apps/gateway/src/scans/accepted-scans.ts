/** A scan the gateway accepted and published, not yet picked up by ingest (no row in `scans`). */
export interface AcceptedScan {
  id: string;
  path: string;
  acceptedAt: Date;
}

export interface AcceptedScansOptions {
  /** How long an accepted scan is remembered; ingest normally records it within seconds. */
  ttlMs: number;
  /** Bound on memory: beyond this, the oldest notes are forgotten first. */
  maxEntries: number;
  now?: () => number;
}

/**
 * An in-memory note of accepted scan ids, so `GET /scans/{id}` answers `queued` between the 202 and the
 * moment ingest writes the row. It lives in this process only: a restarted (or another) gateway
 * instance answers 404 for such a scan until ingest has picked it up, which is at worst a short delay.
 */
export class AcceptedScans {
  private readonly entries = new Map<string, { scan: AcceptedScan; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: AcceptedScansOptions) {
    this.now = options.now ?? Date.now;
  }

  add(scan: AcceptedScan): void {
    this.prune();
    this.entries.delete(scan.id);
    this.entries.set(scan.id, { scan, expiresAt: this.now() + this.options.ttlMs });
    // Map keeps insertion order, so the first keys are the oldest.
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get(id: string): AcceptedScan | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.scan;
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Notes still waiting, newest first. */
  pending(): AcceptedScan[] {
    this.prune();
    return [...this.entries.values()].map((e) => e.scan).reverse();
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}
