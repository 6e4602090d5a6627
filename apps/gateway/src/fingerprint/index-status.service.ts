import { Injectable } from '@nestjs/common';
import { FINGERPRINT_QUERY_COMPATIBLE_VERSIONS, type IndexGeneration } from '@crateflow/fingerprint';
import { FingerprintIndexReadRepository } from './fingerprint-index.repository';
import type { FingerprintIndexStatusView } from './index-status.schemas';

/** The index generations and an upgrade's progress, read from the fingerprint service's tables. */
@Injectable()
export class IndexStatusService {
  constructor(private readonly repository: FingerprintIndexReadRepository) {}

  async status(): Promise<FingerprintIndexStatusView> {
    const index = this.repository.index;
    const generations = index.generations;
    const view = await generations.view();
    const [recent, activeTracks] = await Promise.all([generations.recent(5), generations.trackCount(view.active)]);
    const lastUpgrade = recent.find((g) => g.state === 'retired') ?? null;
    let rebuild: FingerprintIndexStatusView['rebuild'] = null;
    if (view.building) {
      const [p, failures] = await Promise.all([
        generations.progress(view.building, view.active),
        generations.failures(view.building.generation, 10),
      ]);
      rebuild = {
        generation: generationView(view.building),
        done: p.done,
        failed: p.failed,
        total: p.total,
        percent: p.total === 0 ? 100 : Math.round(((p.done + p.failed) / p.total) * 1000) / 10,
        ratePerMin: p.ratePerMin === null ? null : Math.round(p.ratePerMin * 10) / 10,
        etaSec: p.etaSec,
        lookupsFrom: FINGERPRINT_QUERY_COMPATIBLE_VERSIONS.includes(view.active.algorithmVersion)
          ? 'active'
          : 'unavailable',
        recentFailures: failures.map((f) => ({ ...f, failedAt: f.failedAt.toISOString() })),
      };
    }
    return {
      active: { ...generationView(view.active), tracks: activeTracks },
      rebuild,
      lastUpgrade: lastUpgrade ? generationView(lastUpgrade) : null,
      codeVersion: index.version,
    };
  }
}

function generationView(g: IndexGeneration) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    generation: g.generation,
    algorithmVersion: g.algorithmVersion,
    layoutVersion: g.layoutVersion,
    state: g.state,
    createdAt: g.createdAt.toISOString(),
    activatedAt: iso(g.activatedAt),
    retiredAt: iso(g.retiredAt),
    droppedAt: iso(g.droppedAt),
  };
}
