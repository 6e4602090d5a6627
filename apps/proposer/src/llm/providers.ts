import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ProposerConfig } from '../proposer.config';

// The provider packages are loaded only when configured: the rules-only proposer (the default) starts
// without them, which saves seconds of start-up on a busy machine.
const openai = () => require('@langchain/openai') as typeof import('@langchain/openai');
const anthropic = () => require('@langchain/anthropic') as typeof import('@langchain/anthropic');
const ollama = () => require('@langchain/ollama') as typeof import('@langchain/ollama');

const DEFAULT_MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-3-5-haiku-latest', ollama: 'llama3.1' } as const;

/**
 * The chat model the configuration names, or null for the built-in rules. The client's own retries are
 * off: LlmProposer retries within the shared request budget. The API key goes to the client only; it is
 * never logged and never part of a model name or an error the proposer records.
 */
export function createChatModel(
  config: ProposerConfig,
  env: NodeJS.ProcessEnv = process.env,
): { model: BaseChatModel; name: string } | null {
  const provider = config.PROPOSER_LLM_PROVIDER;
  if (provider === 'none') return null;
  const model = config.PROPOSER_LLM_MODEL ?? DEFAULT_MODELS[provider];
  const timeout = config.PROPOSER_LLM_TIMEOUT_MS;
  switch (provider) {
    case 'openai':
      return {
        name: `openai:${model}`,
        model: new (openai().ChatOpenAI)({
          model,
          apiKey: config.PROPOSER_LLM_API_KEY ?? env.OPENAI_API_KEY ?? 'not-needed-for-local-servers',
          temperature: 0,
          timeout,
          maxRetries: 0,
          configuration: config.PROPOSER_LLM_BASE_URL ? { baseURL: config.PROPOSER_LLM_BASE_URL } : undefined,
        }),
      };
    case 'anthropic':
      return {
        name: `anthropic:${model}`,
        model: new (anthropic().ChatAnthropic)({
          model,
          apiKey: config.PROPOSER_LLM_API_KEY ?? env.ANTHROPIC_API_KEY,
          temperature: 0,
          maxRetries: 0,
          clientOptions: {
            timeout,
            ...(config.PROPOSER_LLM_BASE_URL ? { baseURL: config.PROPOSER_LLM_BASE_URL } : {}),
          },
        }),
      };
    case 'ollama':
      return {
        name: `ollama:${model}`,
        model: new (ollama().ChatOllama)({
          model,
          temperature: 0,
          maxRetries: 0,
          format: 'json',
          baseUrl: config.PROPOSER_LLM_BASE_URL ?? 'http://127.0.0.1:11434',
        }),
      };
  }
}
