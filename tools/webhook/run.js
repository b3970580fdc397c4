'use strict';
/**
 * `npm run webhook -- ...`: runs the compiled CLI, rebuilt first when a source is newer
 * (scripts/compiled-tool.js). Samples are read at run time, so editing them needs no build.
 */
require('../../scripts/require-node.js'); // first: hookline needs Node.js 24+ (npm run uses the project's own)
const path = require('node:path');
const { compiledTool, root } = require('../../scripts/compiled-tool.js');

const cli = compiledTool('webhook');
// Same secrets as `npm run stack`: .env, else the development values of .env.example.
require(path.join(root, 'scripts', 'dev-env.js')).loadDevEnv();
require(cli).runCli(process.argv.slice(2));
