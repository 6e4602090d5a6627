import type { KV } from '@nats-io/kv';

/**
 * How many LLM requests may start, shared by every proposer replica: a token bucket of `perMinute`
 * requests held in one NATS key-value entry, changed only by compare-and-set (so two replicas never spend
 * the same token), plus a pause every replica honours after the vendor answered 429 with Retry-After.
 */
export interface RequestBudget {
  /** Waits until a request may start; resolves with the milliseconds waited. */
  acquire(signal?: AbortSignal): Promise<number>;
  /** Every replica waits until `untilMs` (epoch ms) before the next request (a vendor's Retry-After). */
  pauseUntil(untilMs: number): Promise<void>;
}

interface BucketState {
  tokens: number;
  updatedMs: number;
  pausedUntilMs: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });

/** The budget in a NATS KV bucket (NATS 2.9 KV works: get + create/update with the revision). */
export class NatsRequestBudget implements RequestBudget {
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(
    private readonly kv: KV,
    perMinute: number,
    private readonly key = 'llm-requests',
    private readonly now: () => number = Date.now,
  ) {
    // A bucket as deep as the per-second share (at least 1) lets a burst start together but never more.
    this.capacity = Math.max(1, Math.ceil(perMinute / 60));
    this.perMs = perMinute / 60_000;
  }

  private async read(): Promise<{ state: BucketState; revision: number | null }> {
    const entry = await this.kv.get(this.key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) {
      return { state: { tokens: this.capacity, updatedMs: this.now(), pausedUntilMs: 0 }, revision: null };
    }
    try {
      return { state: entry.json<BucketState>(), revision: entry.revision };
    } catch {
      return { state: { tokens: this.capacity, updatedMs: this.now(), pausedUntilMs: 0 }, revision: entry.revision };
    }
  }

  private async write(state: BucketState, revision: number | null): Promise<boolean> {
    const data = JSON.stringify(state);
    try {
      if (revision === null) await this.kv.create(this.key, data);
      else await this.kv.update(this.key, data, revision);
      return true;
    } catch (e) {
      // Another replica changed the entry first (wrong last sequence / key exists): read again.
      if (/wrong last sequence|key exists|10071/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  async acquire(signal?: AbortSignal): Promise<number> {
    const started = this.now();
    for (;;) {
      const { state, revision } = await this.read();
      const now = this.now();
      if (state.pausedUntilMs > now) {
        await sleep(Math.min(state.pausedUntilMs - now, 60_000), signal);
        continue;
      }
      const tokens = Math.min(this.capacity, state.tokens + Math.max(0, now - state.updatedMs) * this.perMs);
      if (tokens >= 1) {
        if (await this.write({ tokens: tokens - 1, updatedMs: now, pausedUntilMs: state.pausedUntilMs }, revision)) {
          return this.now() - started;
        }
        continue;
      }
      await sleep(Math.max(5, Math.ceil((1 - tokens) / this.perMs)), signal);
    }
  }

  async pauseUntil(untilMs: number): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const { state, revision } = await this.read();
      if (state.pausedUntilMs >= untilMs) return;
      if (await this.write({ ...state, pausedUntilMs: untilMs }, revision)) return;
    }
  }
}

/** A budget in process memory, for tests and for a single replica without NATS. */
export class LocalRequestBudget implements RequestBudget {
  private next = 0;
  private paused = 0;
  constructor(private readonly perMinute: number) {}
  async acquire(signal?: AbortSignal): Promise<number> {
    const now = Date.now();
    const at = Math.max(now, this.next, this.paused);
    this.next = at + 60_000 / this.perMinute;
    if (at > now) await sleep(at - now, signal);
    return at - now;
  }
  async pauseUntil(untilMs: number): Promise<void> {
    this.paused = Math.max(this.paused, untilMs);
  }
}
