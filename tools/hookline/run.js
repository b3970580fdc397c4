#!/usr/bin/env node
'use strict';
/**
 * `npx hookline ...` / `npm run hookline -- ...`: runs the compiled CLI, rebuilt first when a source is
 * newer (scripts/compiled-tool.js).
 */
require('../../scripts/require-node.js'); // first: hookline needs Node.js 24+ (npm run and npx use the project's own)
const { compiledTool } = require('../../scripts/compiled-tool.js');

require(compiledTool('hookline')).runCli(process.argv.slice(2));
