/**
 * Calls @octokit/webhooks-methods v6 in a child Node process. The package is
 * ESM-only and its "exports" map has only an "import" condition, so neither
 * jest's CommonJS runtime (ts-jest compiles `await import()` to require) nor
 * Node's own require() can load it: "Cannot find module". A real ESM process can.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '../../..');

// argv[1] carries the arguments as JSON, so no value is ever spliced into code.
const SCRIPT = `
import * as octokit from '@octokit/webhooks-methods';
const { fn, args } = JSON.parse(process.argv[1]);
process.stdout.write(JSON.stringify(await octokit[fn](...args)));
`;

async function call(fn: 'sign' | 'verify', args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT, JSON.stringify({ fn, args })], {
    cwd: REPO_ROOT,
  });
  return JSON.parse(stdout) as unknown;
}

export async function octokitSign(secret: string, payload: string): Promise<string> {
  const signature = await call('sign', [secret, payload]);
  if (typeof signature !== 'string') throw new Error('octokit sign() did not return a string');
  return signature;
}

export async function octokitVerify(secret: string, payload: string, signature: string): Promise<boolean> {
  return (await call('verify', [secret, payload, signature])) === true;
}
