import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NATS_URL } from '../../../../test/support/service-harness';
import { startFakeOpenAi, type FakeOpenAi } from '../../test/openai-fake-server';
import { DEFAULT_PROPOSER_CONFIG } from '../proposer.config';
import type { ProposalContext } from '../rules/facts';
import { DEFAULT_TEMPLATES } from '../rules/templates';
import { LlmProposer, type LlmObserver } from './llm-proposer';
import { createChatModel } from './providers';
import { LocalRequestBudget } from './rate-budget';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

const file = (i: number): ProposalContext => ({
  file: { id: `f${i}`, path: `in/${i}.mp3`, name: `${i}.mp3`, ext: 'mp3', kind: 'music' },
  tags: { artist: 'Caribou', title: `Sun ${i}` },
  stream: {},
  companions: [],
  siblings: [],
});

/**
 * The real @langchain/openai client against a local server that speaks the OpenAI API: a 429 with
 * Retry-After, a hang past the time-out and a malformed answer are survived; and two processes share one
 * request budget held in NATS.
 */
describe('the OpenAI-compatible client against a local server', () => {
  let server: FakeOpenAi | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('honours Retry-After, retries a time-out and a malformed answer, and then answers', async () => {
    server = await startFakeOpenAi([
      { kind: 'rate-limit', retryAfterSec: 1 },
      { kind: 'hang', ms: 4000 },
      { kind: 'malformed' },
    ]);
    const config = {
      ...DEFAULT_PROPOSER_CONFIG,
      PROPOSER_LLM_PROVIDER: 'openai' as const,
      PROPOSER_LLM_BASE_URL: server.url,
      PROPOSER_LLM_API_KEY: 'sk-test-secret-key',
      PROPOSER_LLM_TIMEOUT_MS: 1000,
    };
    const chat = createChatModel(config)!;
    const events: string[] = [];
    const observer: LlmObserver = {
      call: (o) => events.push(o),
      tokens: (k, n) => events.push(`${k}:${n}`),
      waited: () => undefined,
    };
    const llm = new LlmProposer(chat.model, chat.name, DEFAULT_TEMPLATES, new LocalRequestBudget(6000), {
      maxAttempts: 5,
      baseDelayMs: 50,
      observer,
    });
    const r = await llm.proposeBatch([file(1), file(2)]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.answers.get('f2')).toMatchObject({ folder: 'music/Caribou', name: 'Caribou - Sun 2.mp3' });
    // The hang ends as a time-out (or, depending on the fetch implementation, a cut connection): retried either way.
    const outcomes = events.filter((e) => !e.includes(':')).map((e) => (e === 'network' ? 'timeout' : e));
    expect(outcomes).toEqual(['rate_limited', 'timeout', 'malformed', 'ok']);
    expect(events).toContain('input:120');
    const times = server.requests.map((q) => q.at);
    expect(server.requests.map((q) => q.path)).toEqual(Array(4).fill('/v1/chat/completions'));
    // The retry after the 429 waited at least the second it asked for.
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
    expect(server.requests[0].authorization).toBe('Bearer sk-test-secret-key');
  });

  it('gives up on errors that retrying cannot fix, without the key in the reason', async () => {
    server = await startFakeOpenAi([{ kind: 'server-error' }, { kind: 'server-error' }]);
    const chat = createChatModel({
      ...DEFAULT_PROPOSER_CONFIG,
      PROPOSER_LLM_PROVIDER: 'openai',
      PROPOSER_LLM_BASE_URL: server.url,
      PROPOSER_LLM_API_KEY: 'sk-test-secret-key',
    })!;
    const llm = new LlmProposer(chat.model, chat.name, DEFAULT_TEMPLATES, new LocalRequestBudget(6000), {
      maxAttempts: 2,
      baseDelayMs: 10,
    });
    const r = await llm.proposeBatch([file(1)]);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/did not answer after 2 attempts/) });
    if (!r.ok) expect(r.reason).not.toContain('sk-test-secret-key');
  });

  it('two proposer processes share one request budget held in NATS', async () => {
    server = await startFakeOpenAi();
    const prefix = `t${randomBytes(5).toString('hex')}`;
    const env = { ...process.env, NATS_URL, TEST_PREFIX: prefix, BASE_URL: server.url, RPM: '120', CALLS: '4' };
    try {
      const worker = (n: number) =>
        run(process.execPath, ['-r', '@swc-node/register', path.join('apps', 'proposer', 'test', 'llm-worker.ts')], {
          cwd: ROOT,
          env: { ...env, WORKER: String(n), SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
          timeout: 60_000,
        });
      const outputs = await Promise.all([worker(1), worker(2)]);
      const grants: number[] = [];
      for (const o of outputs) {
        const result = JSON.parse(o.stdout.split('\n').find((l) => l.startsWith('{"ok"')) ?? '{}');
        expect(result.ok).toBe(4);
        grants.push(...result.grants);
      }
      expect(server.requests).toHaveLength(8);
      grants.sort((a, b) => a - b);
      // 120 per minute is 2 a second with a burst of 2: the eight starts the budget granted, across both
      // processes, span at least three seconds, and no second holds more than four of them.
      expect(grants[7] - grants[0]).toBeGreaterThanOrEqual(2900);
      for (const t of grants) expect(grants.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
    } finally {
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(`KV_${prefix}-proposer-llm-budget`).catch(() => undefined);
      await nc.close();
    }
  });
});
