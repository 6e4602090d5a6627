import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SseStream } from '../http/sse';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { EventsQuerySchema, type EventsQuery } from './events.schemas';
import { EventsService } from './events.service';

export const SSE_HEARTBEAT_MS = 15_000;
const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;

@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /**
   * Server-Sent Events: `event: <subject>`, `data: <payload JSON>`, `id: <stream sequence>`. The response
   * starts only once the subscription is live, so a client that sees the stream open misses nothing after.
   * A browser that reconnects sends `Last-Event-ID` and gets what it missed; ids are stream sequences, the
   * same on every gateway replica, so the reconnect may land on another one.
   */
  @Get()
  async stream(
    @Query(new ZodValidationPipe(EventsQuerySchema)) query: EventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ) {
    const sse = new SseStream(res, { heartbeatMs: SSE_HEARTBEAT_MS, maxBufferedBytes: SSE_MAX_BUFFERED_BYTES });
    const end = await this.events.subscribe(
      query.types,
      {
        send: (e) => sse.send({ event: e.subject, data: e.payload, id: e.sequence }),
        close: () => sse.close(),
      },
      parseLastEventId(lastEventId),
    );
    const stop = () => {
      sse.close();
      void end();
    };
    // The client may have gone while we subscribed.
    if (res.destroyed || !res.socket || res.socket.destroyed) return stop();
    res.on('close', stop);
    sse.open();
  }
}

/** A Last-Event-ID we sent is a stream sequence; anything else (or nothing) means: from now on. */
export function parseLastEventId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
