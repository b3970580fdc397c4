import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** The compiled `hookline` CLI (the jest global setup builds dist/ first), run as an operator runs it. */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'tools', 'hookline', 'cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hookline <args>` as a process with env added to the test's; rejects when it outlives timeoutMs. */
export function hookline(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookline ${args.join(' ')} did not end within ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
