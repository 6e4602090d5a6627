import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GATEWAY_URL_FILE, resolveDataDir, TOKEN_FILE } from '@crateflow/runner/src/data-dir';
import { GatewayClient } from './gateway-client';
import { createOutput, type Output, type Streams } from './output';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:3000';

/** The options every command accepts (declared once on the program). */
export interface GlobalOptions {
  url?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
}

/**
 * What a command gets: the gateway client and the output helpers, both built from the global options the
 * moment the command runs (commander parses options after commands are registered).
 */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly streams: Streams;
  /** Global options merged with the command's own (`--json` may be given before or after the command). */
  options(): GlobalOptions;
  api(): GatewayClient;
  out(): Output;
}

function readFirstLine(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n')[0].trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The gateway address: --url, CRATEFLOW_URL, the one `npm start` recorded in its data folder, the default. */
export function resolveGatewayUrl(options: GlobalOptions, env: NodeJS.ProcessEnv, cwd: string): string {
  return (
    options.url ??
    env.CRATEFLOW_URL ??
    readFirstLine(path.join(resolveDataDir(options.dataDir, env, cwd), GATEWAY_URL_FILE)) ??
    DEFAULT_GATEWAY_URL
  );
}

/** The API token and where it came from: --token, CRATEFLOW_TOKEN, CRATEFLOW_API_TOKEN, the data folder. */
export function resolveToken(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): { token?: string; source: string } {
  if (options.token) return { token: options.token, source: '--token' };
  if (env.CRATEFLOW_TOKEN?.trim()) return { token: env.CRATEFLOW_TOKEN.trim(), source: 'CRATEFLOW_TOKEN' };
  if (env.CRATEFLOW_API_TOKEN?.trim()) return { token: env.CRATEFLOW_API_TOKEN.trim(), source: 'CRATEFLOW_API_TOKEN' };
  const file = path.join(resolveDataDir(options.dataDir, env, cwd), TOKEN_FILE);
  const token = readFirstLine(file);
  return token ? { token, source: file } : { source: 'none found' };
}

export function createContext(
  readOptions: () => GlobalOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  streams: Streams,
): CliContext {
  return {
    env,
    cwd,
    streams,
    options: readOptions,
    api() {
      const options = readOptions();
      const { token, source } = resolveToken(options, env, cwd);
      return new GatewayClient(resolveGatewayUrl(options, env, cwd), token, source);
    },
    out() {
      return createOutput(Boolean(readOptions().json), streams);
    },
  };
}
