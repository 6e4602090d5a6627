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
  restoredState,
  Subjects,
  subjectsWithoutPublisher,
  transitionFor,
} from './index';

describe('subjects', () => {
  it('are unique, past tense for events and .requested for commands', () => {
    const names = allSubjects().map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      const last = name.split('.').pop()!;
      // Past participles that do not end in -ed are listed by name.
      expect(last === 'requested' || last === '*' || /ed$/.test(last) || ['undone'].includes(last)).toBe(true);
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

  it('proposal subjects name their one publisher; commands come from the gateway', () => {
    const proposalSubjects = allSubjects().filter(
      (s) => /(^|\.)proposal\./.test(s.name) || s.name.startsWith('file.proposer.'),
    );
    expect(proposalSubjects.length).toBeGreaterThanOrEqual(11);
    for (const s of proposalSubjects) {
      expect(s.publisher).toBeDefined();
      if (s.name.endsWith('.requested')) expect(s.publisher).toBe('gateway');
    }
    expect(Subjects.proposalGenerated.publisher).toBe('proposer');
    expect(Subjects.proposalApproved.publisher).toBe('gateway');
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
        // A proposer that stored no proposal moves the file to ANALYZED at most (one state short).
        const noProposal = stage === 'proposer' && outcome !== 'completed';
        expect(t.from).toHaveLength(noProposal ? i : i + 1);
        expect(t.from).not.toContain(t.to);
      }
    }
  });

  it('never claims a proposal the proposer did not store', () => {
    for (const outcome of ['skipped', 'failed'] as const) {
      expect(transitionFor({ kind: 'stage', stage: 'proposer', outcome }).to).toBe('ANALYZED');
    }
    expect(transitionFor({ kind: 'stage', stage: 'proposer', outcome: 'completed' }).to).toBe('PROPOSAL_GENERATED');
    // An un-resolved duplicate returns to a proposal state only while a proposal exists for its content.
    expect(restoredState({ before: 'PROPOSAL_GENERATED', lastFinishedStage: 'proposer', proposerDone: false })).toBe(
      'ANALYZED',
    );
    expect(restoredState({ before: 'APPROVED', lastFinishedStage: 'proposer', proposerDone: true })).toBe('APPROVED');
    // Stages that finished while the file was resolved move it forward (it is not stranded at DISCOVERED).
    expect(restoredState({ before: 'DISCOVERED', lastFinishedStage: 'analysis', proposerDone: false })).toBe(
      'ANALYZED',
    );
    expect(restoredState({ before: null, lastFinishedStage: null, proposerDone: false })).toBe('DISCOVERED');
    expect(transitionFor({ kind: 'duplicate-unresolved', restore: 'EXECUTED' }).to).toBe('DISCOVERED');
  });

  it('review decisions and their undo move between the review states only', () => {
    expect(transitionFor({ kind: 'proposal-reopened' })).toEqual({
      from: ['APPROVED', 'REJECTED'],
      to: 'PROPOSAL_GENERATED',
    });
    expect(canTransition('ANALYZED', { kind: 'approved' })).toBe(false);
    expect(canTransition('DUPLICATE_RESOLVED', { kind: 'approved' })).toBe(false);
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
