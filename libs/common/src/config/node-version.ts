/** The Node.js major the project runs on; `npm run ...` brings it (the `node` devDependency). */
export const MIN_NODE_MAJOR = 24;

/**
 * First statement of every app's main: on an older Node, one clear line and exit 1 instead of a crash
 * somewhere later. (Scripts check the same in scripts/require-node.js.)
 */
export function requireNode24(version: string = process.version): void {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return;
  process.stderr.write(
    `hookline needs Node.js ${MIN_NODE_MAJOR}+; found ${version}. Run it through npm run ..., which uses the project's Node ${MIN_NODE_MAJOR} (installed by npm install).\n`,
  );
  process.exit(1);
}
