import { liveStartSequence, MAX_LIVE_REPLAY } from './messaging';

describe('liveStartSequence (where an SSE feed starts, on any gateway replica)', () => {
  const state = { first_seq: 100, last_seq: 50_000 };

  it('starts after the last message when the client has no Last-Event-ID', () => {
    expect(liveStartSequence(state, undefined)).toBe(50_001);
  });

  it('resumes right after the id the client saw last', () => {
    expect(liveStartSequence(state, 49_990)).toBe(49_991);
  });

  it('never replays more than MAX_LIVE_REPLAY messages, nor from before what the stream still holds', () => {
    expect(liveStartSequence(state, 5)).toBe(50_001 - MAX_LIVE_REPLAY);
    expect(liveStartSequence({ first_seq: 100, last_seq: 200 }, 5)).toBe(100);
  });

  it('treats an id from the future (another stream, a reset) or a nonsense id as "from now on"', () => {
    expect(liveStartSequence(state, 90_000)).toBe(50_001);
    expect(liveStartSequence(state, -1)).toBe(50_001);
    expect(liveStartSequence(state, 1.5)).toBe(50_001);
  });
});
