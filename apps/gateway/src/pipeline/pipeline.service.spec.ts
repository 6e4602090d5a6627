import { buildStats } from './pipeline.service';

describe('buildStats', () => {
  const counts = {
    total: 10,
    missing: 1,
    copies: 0,
    byState: [
      { state: 'DISCOVERED' as const, files: 6 },
      { state: 'METADATA_EXTRACTED' as const, files: 4 },
    ],
    byStageStatus: [
      { stage: 'metadata' as const, status: 'done' as const, files: 3 },
      { stage: 'metadata' as const, status: 'skipped' as const, files: 1 },
      { stage: 'metadata' as const, status: 'failed' as const, files: 2 },
      { stage: 'metadata' as const, status: 'pending' as const, files: 1 },
      { stage: 'fingerprint' as const, status: 'running' as const, files: 2 },
    ],
  };

  it('counts files a stage has no record of as pending, and lists every state and status', () => {
    const stats = buildStats(counts, [], [], new Date(0));
    expect(stats.files).toEqual({
      total: 10,
      missing: 1,
      copies: 0,
      byState: expect.objectContaining({ DISCOVERED: 6, METADATA_EXTRACTED: 4, ANALYZED: 0, DUPLICATE_RESOLVED: 0 }),
    });
    expect(stats.stages.metadata).toEqual({ pending: 4, running: 0, done: 3, skipped: 1, failed: 2 });
    expect(stats.stages.fingerprint).toEqual({ pending: 8, running: 2, done: 0, skipped: 0, failed: 0 });
    expect(stats.stages.proposer.pending).toBe(10);
  });

  it("never counts the executor's copies as pending: no stage runs for them", () => {
    const stats = buildStats({ ...counts, total: 13, copies: 3 }, [], [], new Date(0));
    expect(stats.files).toMatchObject({ total: 13, copies: 3 });
    expect(stats.stages.metadata.pending).toBe(4);
    expect(stats.stages.proposer.pending).toBe(10);
  });

  it('sums throughput per window with a rate per minute', () => {
    const stats = buildStats(
      counts,
      [],
      [
        { stage: 'metadata', finished: [3, 10, 30] },
        { stage: 'analysis', finished: [0, 5, 15] },
      ],
      new Date(0),
    );
    expect(stats.throughput).toEqual([
      {
        windowMinutes: 1,
        finished: 3,
        perMinute: 3,
        byStage: { metadata: 3, fingerprint: 0, analysis: 0, proposer: 0 },
      },
      {
        windowMinutes: 5,
        finished: 15,
        perMinute: 3,
        byStage: { metadata: 10, fingerprint: 0, analysis: 5, proposer: 0 },
      },
      {
        windowMinutes: 15,
        finished: 45,
        perMinute: 3,
        byStage: { metadata: 30, fingerprint: 0, analysis: 15, proposer: 0 },
      },
    ]);
  });
});
