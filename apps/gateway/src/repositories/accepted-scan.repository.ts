import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { KV, Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';

/** A scan the gateway accepted and published, not yet picked up by ingest (no row in `scans`). */
export interface AcceptedScan {
  id: string;
  path: string;
  acceptedAt: Date;
}

/** How long an accepted scan is remembered; ingest normally records it within seconds. */
export const ACCEPTED_SCAN_TTL_MS = 60 * 60 * 1000;
/** The first page of GET /scans shows at most this many scans still waiting for ingest. */
export const MAX_PENDING_SHOWN = 100;

const StoredScanSchema = z.object({ path: z.string(), acceptedAt: z.iso.datetime() });

/**
 * The note that lets `GET /scans/{id}` answer `queued` between the 202 and the moment ingest writes the
 * row. It lives in a NATS key-value bucket, not in the gateway's memory, so every gateway replica behind
 * one Service (and a restarted one) gives the same answer: a scan accepted by one is queued on all.
 */
@Injectable()
export class AcceptedScanRepository {
  private bucket?: Promise<KV>;

  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  async add(scan: AcceptedScan): Promise<void> {
    const kv = await this.kv();
    await kv.put(scan.id, JSON.stringify({ path: scan.path, acceptedAt: scan.acceptedAt.toISOString() }));
  }

  async get(id: string): Promise<AcceptedScan | undefined> {
    const kv = await this.kv();
    const entry = await kv.get(id);
    if (!entry || entry.operation !== 'PUT') return undefined;
    return parse(id, entry.string());
  }

  /** Ingest has recorded it: the note is no longer needed (by any replica). */
  async forget(id: string): Promise<void> {
    const kv = await this.kv();
    await kv.purge(id);
  }

  /** Notes still waiting, newest first (at most MAX_PENDING_SHOWN). */
  async pending(): Promise<AcceptedScan[]> {
    const kv = await this.kv();
    const scans: AcceptedScan[] = [];
    for await (const key of await kv.keys()) {
      const entry = await kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const scan = parse(key, entry.string());
      if (scan) scans.push(scan);
    }
    return scans.sort((a, b) => b.acceptedAt.getTime() - a.acceptedAt.getTime()).slice(0, MAX_PENDING_SHOWN);
  }

  private kv(): Promise<KV> {
    this.bucket ??= this.messaging
      .keyValue('accepted-scans', {
        ttlMs: ACCEPTED_SCAN_TTL_MS,
        description: 'scans the gateway accepted that ingest has not recorded yet',
      })
      .catch((e: unknown) => {
        this.bucket = undefined; // NATS may be back on the next request
        throw e;
      });
    return this.bucket;
  }
}

function parse(id: string, text: string): AcceptedScan | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = StoredScanSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { id, path: parsed.data.path, acceptedAt: new Date(parsed.data.acceptedAt) };
}
