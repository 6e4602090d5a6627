import { Inject, Injectable } from '@nestjs/common';
import { Subjects } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import { MESSAGING } from '@crateflow/service-host';

/** The mix identification command on the bus (the fingerprint service runs the job). */
@Injectable()
export class MixRequestsRepository {
  constructor(@Inject(MESSAGING) private readonly messaging: Messaging) {}

  async request(jobId: string, fileId: string): Promise<void> {
    await this.messaging.publish(
      Subjects.mixIdentifyRequested,
      { jobId, fileId, requestedAt: new Date().toISOString() },
      { msgId: `mix-identify:${jobId}` },
    );
  }

  async cancel(jobId: string, fileId: string): Promise<void> {
    await this.messaging.publish(
      Subjects.mixIdentifyCancelRequested,
      { jobId, fileId },
      { msgId: `mix-identify-cancel:${jobId}` },
    );
  }
}
