import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './ingress';

/** An app from dist/ as its own OS process (built by the integration global setup). */
export function spawnApp(app: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Drain output so the child never blocks on a full pipe; keep the tail for failure messages.
  let tail = '';
  const logFile = process.env.TEST_APP_LOG_DIR ? join(process.env.TEST_APP_LOG_DIR, `${app}-${child.pid}.log`) : undefined;
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
    if (logFile) appendFileSync(logFile, b);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  (child as ChildProcess & { tail: () => string }).tail = () => tail;
  return child;
}

export function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
