import { z } from 'zod';
import {
  Consumers,
  EVENT_DOMAINS,
  FILE_STATES,
  PUBLISHERS,
  PIPELINE_STAGES,
  Streams,
  allSubjects,
  allTransitions,
  canTransition,
  classifyFileName,
  matchSubject,
  subjectsWithoutPublisher,
  transitionFor,
} from './index';

describe('subjects', () => {
  it('are unique, past tense for events and .requested for commands', () => {
    const names = allSubjects().map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      const last = name.split('.').pop()!;
      expect(last === 'requested' || last === '*' || /ed$/.test(last)).toBe(true);
    }
  });

  it('are all carried by exactly one stream', () => {
    for (const s of allSubjects()) {
      const carriers = Object.values(Streams).filter((st) =>
        st.subjects.some((p) => matchSubject(p, s.name.replace('*', 'x'))),
      );
      expect(carriers).toHaveLength(1);
    }
    expect(EVENT_DOMAINS).not.toContain('dlq');
  });

  it('each has a declared publisher, and stream domains are exactly the domains of the subjects', () => {
    expect(subjectsWithoutPublisher()).toEqual([]);
    for (const name of Object.keys(PUBLISHERS)) expect(allSubjects().map((s) => s.name)).toContain(name);
    const domains = new Set(allSubjects().map((s) => s.name.split('.')[0]));
    domains.delete('dlq');
    expect([...EVENT_DOMAINS].sort()).toEqual([...domains].sort());
  });

  it('the lifecycle handles every file.* subject', () => {
    const handled = Consumers.ingestLifecycle.handles.map((h) => h.name).sort();
    expect(handled).toEqual(
      allSubjects()
        .map((s) => s.name)
        .filter((n) => n.startsWith('file.'))
        .sort(),
    );
  });

  it('every consumer handles only subjects its filter matches', () => {
    for (const c of Object.values(Consumers)) {
      for (const h of c.handles) expect(matchSubject(c.filter, h.name)).toBe(true);
    }
  });

  it('schemas reject payloads without ids', () => {
    const bad = allSubjects().filter((s) => s.schema.safeParse({}).success);
    expect(bad.map((s) => s.name)).toEqual([]);
    expect(z.object({}).safeParse({}).success).toBe(true);
  });
});

describe('file lifecycle', () => {
  it('stage outcomes move forward only, whatever the outcome', () => {
    for (const [i, stage] of PIPELINE_STAGES.entries()) {
      for (const outcome of ['completed', 'skipped', 'failed'] as const) {
        const t = transitionFor({ kind: 'stage', stage, outcome });
        expect(t.from).toHaveLength(i + 1);
        expect(t.from).not.toContain(t.to);
      }
    }
  });

  it('a changed file re-enters from any state', () => {
    for (const s of FILE_STATES) expect(canTransition(s, { kind: 'changed' })).toBe(true);
  });

  it('executed files are never marked duplicate-resolved', () => {
    expect(canTransition('EXECUTED', { kind: 'duplicate-resolved' })).toBe(false);
  });

  it('every state is reachable', () => {
    const reached = new Set(['DISCOVERED', ...allTransitions().map((t) => t.to)]);
    expect([...reached].sort()).toEqual([...FILE_STATES].sort());
  });
});

describe('classifyFileName', () => {
  it.each([
    ['Track.MP3', 'music'],
    ['set.Flac', 'music'],
    ['a.opus', 'music'],
    ['clip.MKV', 'video'],
    ['set.cue', 'companion'],
    ['folder.JPG', 'companion'],
    ['list.m3u8', 'companion'],
    ['setup.exe', null],
    ['noext', null],
    ['.mp3', null],
    ['trailing.', null],
  ])('%s → %s', (name, kind) => expect(classifyFileName(name)).toBe(kind));
});
