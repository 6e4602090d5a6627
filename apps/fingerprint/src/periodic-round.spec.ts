import { PeriodicRound } from './periodic-round';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PeriodicRound', () => {
  it('never runs two rounds at once, and stop waits for the round in hand', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let finished = 0;
    const rounds = new PeriodicRound(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(35); // longer than the interval: ticks meanwhile must not start another round
      inFlight--;
      finished++;
    });
    rounds.start(5);
    await sleep(120);
    await rounds.stop();
    expect(maxInFlight).toBe(1);
    expect(inFlight).toBe(0); // stop returned only after the round in hand had finished
    const after = finished;
    await sleep(30);
    expect(finished).toBe(after); // no round after stop
    expect(finished).toBeGreaterThanOrEqual(2);
  });

  it('does nothing with an interval of 0', async () => {
    let calls = 0;
    const rounds = new PeriodicRound(async () => {
      calls++;
    });
    rounds.start(0);
    await sleep(20);
    await rounds.stop();
    expect(calls).toBe(0);
  });
});
