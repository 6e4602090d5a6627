import { ESLint } from 'eslint';
import * as path from 'node:path';

// Lints snippets through the workspace's real eslint.config.js, so the test proves both the rule and
// the per-folder exceptions.
const root = path.resolve(__dirname, '../..');
// ESLint loads its config file with a dynamic import that Jest's VM does not support, so the same
// config module is handed over directly.
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: require(path.join(root, 'eslint.config.js')),
});

async function writeViolations(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, relativePath) });
  return result.messages.filter((m) => m.ruleId === 'crateflow/no-library-writes').map((m) => m.message);
}

describe('crateflow/no-library-writes', () => {
  const writes: Record<string, string> = {
    'named import': `import { rename } from 'node:fs/promises'; export const f = () => rename('a', 'b');`,
    'namespace import': `import * as fs from 'fs'; export const f = () => fs.unlinkSync('a');`,
    'default import': `import fs from 'node:fs'; export const f = () => fs.createWriteStream('a');`,
    'promises member': `import * as fs from 'node:fs'; export const f = () => fs.promises.mkdir('a');`,
    'promises import': `import { promises } from 'fs'; export const f = () => promises.copyFile('a', 'b');`,
    require: `const fs = require('fs'); module.exports = () => fs.truncateSync('a');`,
    'destructured require': `const { rm } = require('node:fs/promises'); module.exports = rm;`,
    'open for writing': `import { promises as fsp } from 'node:fs'; export const f = () => fsp.open('a', 'w');`,
    'open sync for append': `import * as fs from 'node:fs'; export const f = () => fs.openSync('a', 'a+');`,
    'mv through spawn': `import { spawn } from 'node:child_process'; export const f = () => spawn('mv', ['a', 'b']);`,
    'rm through execSync': `const cp = require('child_process'); module.exports = () => cp.execSync('rm -rf /music/x');`,
    'cp by absolute path': `import * as cp from 'node:child_process'; export const f = () => cp.execFile('/bin/cp', ['a', 'b']);`,
  };

  it.each(Object.entries(writes))('reports a %s in apps/ingest', async (_name, code) => {
    expect(await writeViolations('apps/ingest/src/sample.ts', code)).toHaveLength(1);
  });

  it('reports writes in libs too', async () => {
    expect(await writeViolations('libs/audio/src/sample.ts', writes['namespace import'])).toHaveLength(1);
  });

  it('allows running programs that only read (ffmpeg, sha256sum)', async () => {
    const code = `import { spawn, execFileSync } from 'node:child_process'; export const f = () => [spawn('ffmpeg', ['-i', 'a']), execFileSync('sha256sum', ['a'])];`;
    expect(await writeViolations('apps/fingerprint/src/sample.ts', code)).toEqual([]);
  });

  it('allows reads anywhere', async () => {
    const code = `import * as fs from 'node:fs'; import { readFile, stat, opendir } from 'node:fs/promises';
      export const f = async () => [await readFile('a'), await stat('a'), await opendir('.'), fs.createReadStream('a'), fs.openSync('a', 'r')];`;
    expect(await writeViolations('apps/ingest/src/sample.ts', code)).toEqual([]);
  });

  it('allows writes in the executor, the only library writer', async () => {
    expect(await writeViolations('apps/executor/src/sample.ts', writes['named import'])).toEqual([]);
  });

  it('allows writes in the named data-folder owners', async () => {
    expect(await writeViolations('tools/runner/src/sample.ts', writes['named import'])).toEqual([]);
    expect(await writeViolations('libs/fingerprint/src/store/sample.ts', writes['named import'])).toEqual([]);
  });
});
