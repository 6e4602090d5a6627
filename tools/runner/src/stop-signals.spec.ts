import { StopSignals } from './stop-signals';

describe('StopSignals', () => {
  function setup() {
    let now = 0;
    const calls: string[] = [];
    const signals = new StopSignals(
      { stop: (s) => calls.push(`stop ${s}`), force: (s) => calls.push(`force ${s}`) },
      1500,
      () => now,
    );
    return { signals, calls, advance: (ms: number) => (now += ms) };
  }

  it('stops in order on the first signal and kills at once on a later one', () => {
    const { signals, calls, advance } = setup();
    signals.receive('SIGINT');
    advance(3000);
    signals.receive('SIGINT');
    expect(calls).toEqual(['stop SIGINT', 'force SIGINT']);
  });

  it("takes a copy right after the first (the terminal's Ctrl-C and npm's forwarded one) as the same request", () => {
    const { signals, calls, advance } = setup();
    signals.receive('SIGINT');
    advance(20);
    signals.receive('SIGINT');
    signals.receive('SIGTERM');
    expect(calls).toEqual(['stop SIGINT']);
    advance(1500);
    signals.receive('SIGINT');
    expect(calls).toEqual(['stop SIGINT', 'force SIGINT']);
  });
});
