#!/usr/bin/env node
// Entry of `npm start -- /path/to/music`: compiles the TypeScript runner on the fly and starts it.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
// @swc-node/register reads tsconfig.json from the working directory unless told where it is.
process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.json');
require('@swc-node/register');
require('../src/cli.ts').main(process.argv.slice(2));
