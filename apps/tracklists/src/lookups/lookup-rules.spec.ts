import { VirtualClock } from '../site/clock';
import { lookupDue, nextLookupState, transientDelayMs, type LookupState } from './lookup-rules';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('look-up record rules', () => {
  it('found never expires', () => {
    const s = nextLookupState(null, 'found', 0);
    expect(s).toEqual({ status: 'found', attempts: 0, nextAttemptAt: null });
    expect(lookupDue(s, 10 * 365 * 24 * HOUR, false)).toBe(false);
  });
  it('a clean search without a result waits 180 days', () => {
    const clock = new VirtualClock();
    const s = nextLookupState(null, 'nothing', clock.now());
    clock.advance(179 * 24 * HOUR);
    expect(lookupDue(s, clock.now(), false)).toBe(false);
    clock.advance(24 * HOUR);
    expect(lookupDue(s, clock.now(), false)).toBe(true);
    expect(nextLookupState(null, 'candidates', 0).nextAttemptAt).toEqual(s.nextAttemptAt && new Date(180 * 24 * HOUR));
  });
  it('transient failures back off 30 min × 2ⁿ up to 24 h and park after 5', () => {
    const clock = new VirtualClock();
    let state: LookupState | null = null;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(lookupDue(state, clock.now(), false)).toBe(true);
      state = nextLookupState(state, 'transient', clock.now());
      if (state.nextAttemptAt) {
        delays.push(state.nextAttemptAt.getTime() - clock.now());
        clock.advance(state.nextAttemptAt.getTime() - clock.now() - 1);
        expect(lookupDue(state, clock.now(), false)).toBe(false);
        clock.advance(1);
      }
    }
    expect(delays).toEqual([30 * MIN, HOUR, 2 * HOUR, 4 * HOUR]);
    expect(state).toMatchObject({ status: 'parked', attempts: 5, nextAttemptAt: null });
    clock.advance(1000 * HOUR);
    expect(lookupDue(state, clock.now(), false)).toBe(false);
    expect(lookupDue(state, clock.now(), true)).toBe(true);
  });
  it('caps the back-off at 24 h', () => {
    expect(nextLookupState({ attempts: 3 }, 'transient', 0).nextAttemptAt!.getTime()).toBe(4 * HOUR);
    expect([6, 7, 20].map(transientDelayMs)).toEqual([16 * HOUR, 24 * HOUR, 24 * HOUR]);
  });
  it('a success after failures starts over', () => {
    const s = nextLookupState({ attempts: 4 }, 'nothing', 0);
    expect(s.attempts).toBe(0);
  });
});
