'use strict';
/**
 * Required first by every script (scripts/*.js, tools/webhook/run.js, bench/run.js): hookline needs
 * Node.js 24+. `npm run ...` uses the project's own Node 24 (the `node` devDependency puts it first on
 * PATH), so a plain `node scripts/...` with an older system Node stops here with one clear line instead
 * of failing somewhere later. The compiled apps check the same with `requireNode24()` from @app/common.
 */
const MIN_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_MAJOR) {
  process.stderr.write(
    `hookline needs Node.js ${MIN_MAJOR}+; found ${process.version}. Run it through npm run ..., which uses the project's Node ${MIN_MAJOR} (installed by npm install).\n`,
  );
  process.exit(1);
}
