#!/usr/bin/env node
'use strict';
// Thin shell: the CLI runs from its TypeScript sources, compiled on load like `npm start` does, with
// the repository's tsconfig wherever it is called from (its paths resolve the @durable/* libs).
const { join } = require('node:path');
process.env.SWC_NODE_PROJECT ??= join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
require('../src/main.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
