import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Subjects } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';

/** Tracklist commands on the bus; the tracklists service carries them out (it alone talks to 1001Tracklists). */
@Injectable()
export class TracklistRequestsRepository {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  async search(fileId: string, query: string | undefined): Promise<string> {
    const requestId = randomUUID();
    await this.messaging.publish(
      Subjects.tracklistSearchRequested,
      { requestId, fileId, query, byPerson: true, requestedAt: new Date().toISOString() },
      { msgId: `tracklist-search:${requestId}` },
    );
    return requestId;
  }

  async scrape(url: string, fileId?: string, tracklistId?: string): Promise<string> {
    const requestId = randomUUID();
    await this.messaging.publish(
      Subjects.tracklistScrapeRequested,
      { requestId, url, fileId, tracklistId, requestedAt: new Date().toISOString() },
      { msgId: `tracklist-scrape:${requestId}` },
    );
    return requestId;
  }
}
