import type { TracklistLookupStatus } from '@crateflow/persistence';

export const NOTHING_RETRY_MS = 180 * 24 * 3600_000;
export const TRANSIENT_BASE_MS = 30 * 60_000;
export const TRANSIENT_MAX_MS = 24 * 3600_000;
export const PARK_AFTER_ATTEMPTS = 5;

/** The wait after the n-th transient failure in a row (1-based): 30 min × 2ⁿ⁻¹, at most 24 h. */
export function transientDelayMs(attempt: number): number {
  return Math.min(TRANSIENT_BASE_MS * 2 ** Math.max(0, attempt - 1), TRANSIENT_MAX_MS);
}

/** What a search (and, for a winner, the scrape) came to. */
export type LookupResult = 'found' | 'nothing' | 'candidates' | 'transient';

export interface LookupState {
  status: TracklistLookupStatus;
  attempts: number;
  nextAttemptAt: Date | null;
}

/**
 * The look-up record rules: found never expires; a clean search without a usable result (nothing, or
 * candidates for a person) is not repeated for 180 days; a transient failure (network, refusal, challenge,
 * unreadable page) backs off 30 min × 2ⁿ up to 24 h, and after the fifth in a row the record is parked for a
 * person (no retry by itself).
 */
export function nextLookupState(
  previous: Pick<LookupState, 'attempts'> | null,
  result: LookupResult,
  nowMs: number,
): LookupState {
  switch (result) {
    case 'found':
      return { status: 'found', attempts: 0, nextAttemptAt: null };
    case 'nothing':
    case 'candidates':
      return { status: result, attempts: 0, nextAttemptAt: new Date(nowMs + NOTHING_RETRY_MS) };
    case 'transient': {
      const attempts = (previous?.attempts ?? 0) + 1;
      if (attempts >= PARK_AFTER_ATTEMPTS) return { status: 'parked', attempts, nextAttemptAt: null };
      return { status: 'retrying', attempts, nextAttemptAt: new Date(nowMs + transientDelayMs(attempts)) };
    }
  }
}

/**
 * Whether an automatic look-up may run now. A person's explicit request always may (it is how a parked or
 * `nothing` record is retried); found records are never searched again automatically.
 */
export function lookupDue(state: LookupState | null, nowMs: number, byPerson: boolean): boolean {
  if (!state || byPerson) return true;
  if (state.status === 'found' || state.status === 'parked') return false;
  return state.nextAttemptAt === null || state.nextAttemptAt.getTime() <= nowMs;
}
