import { AcceptedScans } from './accepted-scans';

const scan = (id: string) => ({ id, path: `/music/${id}`, acceptedAt: new Date(0) });

describe('AcceptedScans', () => {
  it('remembers a scan until its time is up', () => {
    let now = 1_000;
    const accepted = new AcceptedScans({ ttlMs: 500, maxEntries: 10, now: () => now });
    accepted.add(scan('a'));
    now += 499;
    expect(accepted.get('a')?.id).toBe('a');
    now += 1;
    expect(accepted.get('a')).toBeUndefined();
  });

  it('forgets the oldest first when full, and lists the newest first', () => {
    const accepted = new AcceptedScans({ ttlMs: 60_000, maxEntries: 2 });
    accepted.add(scan('a'));
    accepted.add(scan('b'));
    accepted.add(scan('c'));
    expect(accepted.get('a')).toBeUndefined();
    expect(accepted.pending().map((s) => s.id)).toEqual(['c', 'b']);
    accepted.forget('c');
    expect(accepted.pending().map((s) => s.id)).toEqual(['b']);
  });
});
