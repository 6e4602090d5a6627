#!/usr/bin/env node
// Entry of the `crateflow` command: runs the TypeScript CLI as it is in the repository, no build step.
//
// Each .ts file is transpiled by @swc/core when it is first required (types are stripped, not checked:
// `npm test` runs tsc). @swc-node/register does the same, but first loads the TypeScript compiler to read
// tsconfig.json, which was most of the command's start-up (farm-bench, `crateflow --help`: 0.63 s of CPU,
// 0.39 s of it for `require('typescript')` alone). The options below are those of tsconfig.base.json that
// change the emitted code (ES2022, CommonJS with esModuleInterop, legacy decorators with metadata).
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  swcrc: false,
  configFile: false,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  module._compile(code, filename);
};

require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
