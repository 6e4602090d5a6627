import { readFileSync } from 'node:fs';
import { allSubjects, FILE_STATES, SERVICES, TABLE_OWNERS } from '@crateflow/contracts';
import { ARCHITECTURE_DOC, publisherOf, renderArchitectureDoc } from './gen-architecture-docs';

describe('docs/architecture.md', () => {
  const doc = readFileSync(ARCHITECTURE_DOC, 'utf8');

  it('is in step with libs/contracts (run tools/scripts/gen-architecture-docs.ts if not)', () => {
    expect(renderArchitectureDoc(doc)).toBe(doc);
  });

  it('names every service, subject, state and table', () => {
    for (const name of [
      ...SERVICES,
      ...FILE_STATES,
      ...Object.keys(TABLE_OWNERS),
      ...allSubjects().map((s) => s.name),
    ]) {
      expect(doc).toContain(name);
    }
  });

  it('knows who publishes each subject, and asks when it does not', () => {
    expect(publisherOf('scan.requested')).toBe('gateway');
    expect(publisherOf('file.ingest.discovered')).toBe('ingest');
    expect(publisherOf('file.analysis.skipped')).toBe('analysis');
    expect(() => publisherOf('unknown.thing.happened')).toThrow(/who publishes "unknown\.thing\.happened"/);
  });
});
