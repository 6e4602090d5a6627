#!/usr/bin/env node
// `npm run bench [-- <name>…]`: runs every benchmark (bench/<name>/run.ts), or only the named ones, one
// after another. Benchmarks are slow and print ratios against reference tools measured in the same run;
// the test command never runs them.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH = path.join(ROOT, 'bench');

const wanted = process.argv.slice(2);
const all = fs
  .readdirSync(BENCH, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && fs.existsSync(path.join(BENCH, d.name, 'run.ts')))
  .map((d) => d.name)
  .sort();
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(', ')}; there are: ${all.join(', ')}`);
  process.exit(2);
}

const failed = [];
for (const name of wanted.length ? wanted : all) {
  console.log(`\n=== bench/${name}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join('bench', name, 'run.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) failed.push(name);
  console.log(`=== bench/${name}: ${result.status === 0 ? 'done' : 'FAILED'} in ${seconds} s`);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
