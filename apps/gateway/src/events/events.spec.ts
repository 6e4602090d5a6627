import { EVENT_DOMAINS } from '@crateflow/contracts';
import { formatSseEvent } from '../http/sse';
import { parseLastEventId } from './events.controller';
import { EventsQuerySchema } from './events.schemas';
import { filtersFor } from './events.service';

describe('live event filters', () => {
  it('uses one wildcard for every domain and one filter per domain otherwise', () => {
    expect(filtersFor(undefined)).toEqual(['>']);
    expect(filtersFor([...EVENT_DOMAINS])).toEqual(['>']);
    expect(filtersFor(['file', 'scan'])).toEqual(['scan.>', 'file.>']);
  });

  it('accepts known domains only', () => {
    expect(EventsQuerySchema.parse({ types: 'scan, file,scan' })).toEqual({ types: ['scan', 'file'] });
    expect(EventsQuerySchema.safeParse({ types: 'scan,dlq' }).success).toBe(false);
    expect(EventsQuerySchema.safeParse({ types: ',' }).success).toBe(false);
  });
});

describe('formatSseEvent', () => {
  it('frames subject, sequence and one line of JSON, even when the payload has line breaks', () => {
    const text = formatSseEvent({ event: 'scan.progressed', id: 42, data: { path: '/m/a\nb', n: 1 } });
    expect(text).toBe('event: scan.progressed\nid: 42\ndata: {"path":"/m/a\\nb","n":1}\n\n');
  });

  it('refuses an event name that would break the framing', () => {
    expect(() => formatSseEvent({ event: 'a\ndata: x', data: 1 })).toThrow(/one line/);
  });
});

describe('parseLastEventId', () => {
  it('accepts the stream sequences the gateway sends as ids, and nothing else', () => {
    expect(parseLastEventId('42')).toBe(42);
    expect(parseLastEventId(' 42 ')).toBe(42);
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('')).toBeUndefined();
    expect(parseLastEventId('-3')).toBeUndefined();
    expect(parseLastEventId('1e9')).toBeUndefined();
    expect(parseLastEventId('9'.repeat(40))).toBeUndefined();
  });
});
