#!/usr/bin/env node
// Entry of the `crateflow` command: compiles the TypeScript CLI on the fly and runs it.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
// @swc-node/register reads tsconfig.json from the working directory unless told where it is.
process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
