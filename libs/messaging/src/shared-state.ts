import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

export type { KV } from '@nats-io/kv';

export interface SharedBucketOptions {
  /** Entries expire this long after their last write (the server removes them); absent: never. */
  ttlMs?: number;
  /** Bound on the bucket's size in bytes. */
  maxBytes?: number;
  description?: string;
}

/** KV bucket names allow letters, digits, `-` and `_`; the prefix keeps installations apart on one server. */
export function sharedBucketName(prefix: string, bucket: string): string {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(bucket)) throw new Error(`invalid bucket name ${JSON.stringify(bucket)}`);
  return `${prefix}-${bucket}`;
}

/**
 * Opens (creating when missing) a JetStream key-value bucket for state that every replica of a service
 * must see alike, instead of one process's memory: a second gateway behind the same Service answers from
 * the same entries. One value per key (no history); entries expire after `ttlMs` when it is given.
 */
export function openSharedBucket(
  nc: NatsConnection,
  prefix: string,
  bucket: string,
  options: SharedBucketOptions,
): Promise<KV> {
  return new Kvm(nc).create(sharedBucketName(prefix, bucket), {
    history: 1,
    ttl: options.ttlMs ?? 0,
    max_bytes: options.maxBytes ?? 64 * 1024 * 1024,
    description: options.description,
  });
}
