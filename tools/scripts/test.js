#!/usr/bin/env node
// `npm test`: every check of the workspace, in order, ending with one line CI can read:
//   "<n> passed, <n> failed"
// Steps: eslint, prettier (the whole tree), tsc, then jest (unit + medium tests in
// parallel, end-to-end tests one at a time because each starts every service). Every step runs even when an
// earlier one failed, so one run shows every problem; the exit code is non-zero if any step failed.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Jest runs: unit and medium tests share two workers; e2e tests start whole systems, so one at a time. */
const JEST_RUNS = [
  { name: 'unit + medium', args: ['--selectProjects', 'unit', 'medium', '-w', '2'] },
  { name: 'e2e', args: ['--selectProjects', 'e2e', '--runInBand'] },
];

function run(label, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${label}: ${[path.basename(command), ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: process.env, ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  if (result.error) process.stdout.write(`  could not run: ${result.error.message}\n`);
  process.stdout.write(`${ok ? '✔' : '✘'} ${label} (${seconds} s)\n`);
  return { label, ok, seconds };
}

function jestRun({ name, args }) {
  const outputFile = path.join(os.tmpdir(), `crateflow-jest-${process.pid}-${name.replace(/\W+/g, '-')}.json`);
  fs.rmSync(outputFile, { force: true });
  const step = run(`jest (${name})`, path.join(BIN, 'jest'), [
    ...args,
    '--ci',
    '--passWithNoTests',
    // A test that leaves a handle open must not hang CI for an hour; jest names such files in its output.
    '--forceExit',
    '--json',
    '--outputFile',
    outputFile,
  ]);
  let passed = 0;
  let failed = 0;
  let suitesFailed = 0;
  try {
    const report = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests;
    // A file that fails to load (syntax error, missing import) has no failed tests but did fail.
    suitesFailed = report.testResults.filter(
      (r) => r.status === 'failed' && r.assertionResults.every((a) => a.status !== 'failed'),
    ).length;
  } catch (e) {
    if (step.ok) throw e;
    suitesFailed = 1; // jest crashed before writing its report
  } finally {
    fs.rmSync(outputFile, { force: true });
  }
  return { ...step, passed, failed: failed + suitesFailed };
}

function main() {
  const steps = [];
  steps.push(run('eslint', path.join(BIN, 'eslint'), ['.']));
  // The whole tree is kept formatted; .prettierignore names what Prettier cannot parse (Helm's Go templates).
  steps.push(run('prettier', path.join(BIN, 'prettier'), ['--check', '.']));
  steps.push(run('typecheck', path.join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--noEmit']));
  // The root tsconfig covers apps, libs and bench; the tools' own scripts and tests are checked here.
  steps.push(run('typecheck tools', path.join(BIN, 'tsc'), ['-p', 'tools/scripts/tsconfig.json', '--noEmit']));

  let passed = 0;
  let failed = 0;
  for (const jest of JEST_RUNS) {
    const result = jestRun(jest);
    steps.push(result);
    passed += result.passed;
    failed += result.failed;
  }

  process.stdout.write('\nSummary\n');
  for (const s of steps) process.stdout.write(`  ${s.ok ? 'ok    ' : 'FAILED'} ${s.label} (${s.seconds} s)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = steps.every((s) => s.ok) ? 0 : 1;
}

main();
