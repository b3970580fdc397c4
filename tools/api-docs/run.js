#!/usr/bin/env node
'use strict';
/**
 * `npm run docs:api [-- --check]`: runs the compiled API-document generator, rebuilt first when a source is
 * newer (scripts/compiled-tool.js).
 */
require('../../scripts/require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const { compiledTool } = require('../../scripts/compiled-tool.js');

require(compiledTool('api-docs')).runCli(process.argv.slice(2));
