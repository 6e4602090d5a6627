import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Expands a leading `~` (for paths given in quotes, which the shell does not expand). */
export function expandHome(p: string, home = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

/**
 * The data folder: --data-dir, else CRATEFLOW_DATA_DIR, else the XDG data home
 * (~/.local/share/crateflow). Relative paths are taken from where the command was typed.
 */
export function resolveDataDir(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  home = os.homedir(),
): string {
  const chosen = option ?? env.CRATEFLOW_DATA_DIR;
  if (chosen) return path.resolve(cwd, expandHome(chosen, home));
  const xdg =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'crateflow');
}

/** Creates the data folder (private to the user) if needed. */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export class MusicFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MusicFolderError';
  }
}

/** The music folder as an absolute path with symlinks resolved; a clear error when it is not a folder. */
export function resolveMusicDir(given: string, cwd: string, home = os.homedir()): string {
  const absolute = path.resolve(cwd, expandHome(given, home));
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MusicFolderError(
      code === 'ENOENT'
        ? `the music folder ${absolute} does not exist`
        : `cannot open the music folder ${absolute} (${code})`,
    );
  }
  if (!statSync(real).isDirectory()) throw new MusicFolderError(`${absolute} is not a folder`);
  return real;
}

/**
 * The output folder of copy and hardlink executions (--output, else CRATEFLOW_OUTPUT_ROOT; none when neither
 * is given): absolute, symlinks resolved, created when missing (an empty folder; nothing else is written).
 * It must lie outside the music folder and not hold it: copies inside the library would be planned again
 * as sources on the next round, and a music folder inside the output would copy into itself.
 */
export function resolveOutputDir(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  music: string,
  cwd: string,
  home = os.homedir(),
): string | undefined {
  const chosen = option ?? env.CRATEFLOW_OUTPUT_ROOT;
  if (!chosen) return undefined;
  const absolute = path.resolve(cwd, expandHome(chosen, home));
  let real: string;
  try {
    mkdirSync(absolute, { recursive: true });
    real = realpathSync(absolute);
  } catch (e) {
    throw new MusicFolderError(`cannot use the output folder ${absolute} (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!statSync(real).isDirectory()) throw new MusicFolderError(`the output folder ${absolute} is not a folder`);
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + path.sep);
  if (inside(real, music)) {
    throw new MusicFolderError(
      `the output folder ${absolute} lies inside the music folder ${music}; choose one outside it`,
    );
  }
  if (inside(music, real)) {
    throw new MusicFolderError(`the music folder ${music} lies inside the output folder ${absolute}; choose another`);
  }
  return real;
}

export interface ApiToken {
  token: string;
  /** env: CRATEFLOW_API_TOKEN; file: read from the data folder; generated: new and stored there. */
  source: 'env' | 'file' | 'generated';
  file?: string;
}

export const TOKEN_FILE = 'api-token';
/** Where the runner records the address of the gateway it started, for the `crateflow` command. */
export const GATEWAY_URL_FILE = 'gateway-url';

/**
 * The API token: CRATEFLOW_API_TOKEN when set, else the one stored in the data folder, else a new random
 * one stored there readable only by the user (0600). The same token survives restarts, so scripts and
 * bookmarks keep working.
 */
export function ensureApiToken(dataDir: string, env: NodeJS.ProcessEnv): ApiToken {
  const fromEnv = env.CRATEFLOW_API_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = path.join(dataDir, TOKEN_FILE);
  let stored: string | undefined;
  try {
    stored = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (stored) {
    // Tighten a token file someone made readable to others; it grants write access to the API.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { token: stored, source: 'file', file };
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option is ignored when the (empty) file already existed
  return { token, source: 'generated', file };
}
