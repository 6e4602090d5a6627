import { Messaging } from '@crateflow/messaging';
import { LlmProposer } from '../src/llm/llm-proposer';
import { createChatModel } from '../src/llm/providers';
import { NatsRequestBudget } from '../src/llm/rate-budget';
import { DEFAULT_PROPOSER_CONFIG } from '../src/proposer.config';
import { DEFAULT_TEMPLATES } from '../src/rules/templates';

/**
 * One proposer-like process for the shared-budget test: the real OpenAI client against the fake server,
 * its requests paced by the budget in NATS that every process of the same prefix shares.
 */
async function main() {
  const env = process.env;
  const messaging = await Messaging.connect({ url: env.NATS_URL!, prefix: env.TEST_PREFIX!, name: 'llm-worker' });
  try {
    const config = {
      ...DEFAULT_PROPOSER_CONFIG,
      PROPOSER_LLM_PROVIDER: 'openai' as const,
      PROPOSER_LLM_BASE_URL: env.BASE_URL!,
      PROPOSER_LLM_API_KEY: 'sk-test-secret',
      PROPOSER_LLM_RPM: Number(env.RPM),
    };
    const chat = createChatModel(config)!;
    const shared = new NatsRequestBudget(await messaging.keyValue('proposer-llm-budget'), config.PROPOSER_LLM_RPM);
    // When the shared budget let each request start (the server sees them later, after client latency).
    const grants: number[] = [];
    const budget = {
      acquire: async () => {
        const waited = await shared.acquire();
        grants.push(Date.now());
        return waited;
      },
      pauseUntil: (until: number) => shared.pauseUntil(until),
    };
    const llm = new LlmProposer(chat.model, chat.name, DEFAULT_TEMPLATES, budget, { maxAttempts: 3 });
    let ok = 0;
    for (let i = 0; i < Number(env.CALLS); i++) {
      const r = await llm.proposeBatch([
        {
          file: { id: `w${env.WORKER}-${i}`, path: 'a.mp3', name: 'a.mp3', ext: 'mp3', kind: 'music' },
          tags: { artist: 'A', title: `T${i}` },
          stream: {},
          companions: [],
          siblings: [],
        },
      ]);
      if (r.ok) ok++;
    }
    process.stdout.write(JSON.stringify({ ok, grants }) + '\n');
  } finally {
    await messaging.close();
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
