import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Consumers, messageId, Subjects, TracklistLookupFinishedSchema } from '@crateflow/contracts';
import type { Messaging } from '@crateflow/messaging';
import {
  CONFIG,
  MESSAGING,
  METRICS,
  isSubject,
  subscribe,
  type MessageSubscriber,
  type Subscription,
} from '@crateflow/service-host';
import { PostgresRequestSchedule } from './repositories/host-schedule.repository';
import { LibraryReadRepository } from './repositories/library-read.repository';
import { LookupsRepository } from './repositories/lookups.repository';
import { TracklistStoreRepository } from './repositories/tracklist-store.repository';
import { ChromiumRenderer } from './site/chromium-renderer';
import { systemClock } from './site/clock';
import { TracklistsSiteClient } from './site/tracklists-site.client';
import type { TracklistsConfig } from './tracklists.config';
import { TracklistsService, type TracklistEvents } from './tracklists.service';

/** Tracklist events on the bus, each under a message id that makes a repeat harmless. */
export function busTracklistEvents(messaging: Messaging): TracklistEvents {
  return {
    lookupFinished: async (e) => {
      await messaging.publish(Subjects.tracklistLookupFinished, e, {
        msgId: messageId('tracklist-lookup', e.requestId ?? e.contentHash ?? 'none', e.status),
      });
    },
    saved: async (e) => {
      await messaging.publish(Subjects.tracklistSaved, e, {
        msgId: messageId('tracklist-saved', e.tracklistId, e.version),
      });
    },
  };
}

const LOOKUP_OUTCOMES = TracklistLookupFinishedSchema.shape.status.options;

/** The 1001Tracklists client from the validated configuration. */
export function siteClientFrom(
  config: TracklistsConfig,
  db: DataSource,
  onParseFailure?: () => void,
): { client: TracklistsSiteClient; renderer: ChromiumRenderer | null } {
  const allowedHosts = config.TRACKLISTS_ALLOWED_HOSTS;
  const allowHost = (u: URL) => allowedHosts.includes(u.hostname.toLowerCase());
  const renderer = config.TRACKLISTS_RENDER
    ? new ChromiumRenderer({
        executablePath: config.TRACKLISTS_CHROMIUM_PATH,
        userAgent: config.TRACKLISTS_USER_AGENT,
        timeoutMs: config.TRACKLISTS_TIMEOUT_MS,
        allowHost,
      })
    : null;
  const client = new TracklistsSiteClient(
    {
      baseUrl: config.TRACKLISTS_SITE_URL,
      allowedHosts,
      userAgent: config.TRACKLISTS_USER_AGENT,
      minSpacingMs: config.TRACKLISTS_MIN_SPACING_MS,
      maxSpacingMs: Math.max(config.TRACKLISTS_MIN_SPACING_MS, config.TRACKLISTS_MAX_SPACING_MS),
      backoffBaseMs: config.TRACKLISTS_BACKOFF_BASE_MS,
      backoffMaxMs: config.TRACKLISTS_BACKOFF_MAX_MS,
      timeoutMs: config.TRACKLISTS_TIMEOUT_MS,
      maxRedirects: 5,
      onParseFailure,
    },
    new PostgresRequestSchedule(db),
    systemClock,
    renderer,
  );
  return { client, renderer };
}

/**
 * tracklist.*.requested → look-ups and scrapes; mix.identify.finished → the mix's fingerprint tracklist;
 * file.metadata.completed → cue sheet tracklists. Look-ups whose back-off ended are asked for again by a sweep.
 */
@Injectable()
export class TracklistsHandler implements MessageSubscriber, OnApplicationBootstrap, OnModuleDestroy {
  readonly service: TracklistsService;
  private readonly lookups: LookupsRepository;
  private readonly renderer: ChromiumRenderer | null;
  private readonly outcomes: Counter<'stage' | 'outcome'>;
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject('DataSource') db: DataSource,
    @Inject(CONFIG) private readonly config: TracklistsConfig,
    @Inject(METRICS) registry: Registry,
  ) {
    this.outcomes = new Counter({
      name: 'crateflow_tracklist_lookups_total',
      help: '1001Tracklists look-ups and scrapes by outcome',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
    });
    // Every outcome starts at 0, so the dashboard shows 0 blocked look-ups rather than no data.
    for (const outcome of LOOKUP_OUTCOMES) this.outcomes.inc({ stage: 'tracklists', outcome }, 0);
    const parseFailures = new Counter({
      name: 'crateflow_tracklist_parse_failures_total',
      help: '1001Tracklists pages fetched but not readable (the look-up is retried; many mean the layout changed)',
      labelNames: ['stage'],
      registers: [registry],
    });
    parseFailures.inc({ stage: 'tracklists' }, 0);
    const { client, renderer } = siteClientFrom(config, db, () => parseFailures.inc({ stage: 'tracklists' }));
    this.renderer = renderer;
    this.lookups = new LookupsRepository(db);
    this.service = new TracklistsService({
      library: new LibraryReadRepository(db),
      store: new TracklistStoreRepository(db),
      lookups: this.lookups,
      site: client,
      clock: systemClock,
      events: busTracklistEvents(messaging),
    });
  }

  subscriptions(): Subscription[] {
    return [
      subscribe(Consumers.tracklists, {
        handle: async (ctx) => {
          const result = isSubject(ctx, Subjects.tracklistScrapeRequested)
            ? await this.service.scrape(ctx.payload)
            : await this.service.search(ctx.payload);
          this.outcomes.inc({ stage: 'tracklists', outcome: result.status });
        },
      }),
      subscribe(Consumers.tracklistsMixes, {
        handle: async (ctx) => void (await this.service.mixIdentified(ctx.payload)),
      }),
      subscribe(Consumers.tracklistsCompanions, {
        handle: async (ctx) => void (await this.service.metadataCompleted(ctx.payload)),
      }),
    ];
  }

  onApplicationBootstrap(): void {
    const every = this.config.TRACKLISTS_RETRY_SWEEP_MS;
    if (every > 0) {
      this.sweep = setInterval(() => void this.requeueDue().catch(() => undefined), every);
      this.sweep.unref();
    }
  }

  /** Asks again for look-ups whose waiting time is over (the command queue keeps them one at a time). */
  async requeueDue(): Promise<number> {
    const due = await this.lookups.dueRetries(Date.now(), 50);
    for (const d of due) {
      await this.messaging.publish(
        Subjects.tracklistSearchRequested,
        { requestId: crypto.randomUUID(), fileId: d.fileId, requestedAt: new Date().toISOString() },
        { msgId: messageId('tracklist-retry', d.contentHash, d.attempts) },
      );
    }
    return due.length;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await this.renderer?.close();
  }
}
