import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ingress';

/**
 * The OTLP receiver of the tracing test: test/otlp-receiver, a small Go program that decodes OTLP/HTTP and
 * OTLP/gRPC export requests with the OpenTelemetry Collector's pdata and appends one JSON line per span to
 * a file. Built with `go build` into .cache/otlp-receiver/otlp-receiver-<hash> (hash of its sources and the
 * Go version), so only the first run on a machine builds it (modules come from the Go module proxy).
 */
const SOURCE = join(ROOT, 'test', 'otlp-receiver');
const CACHE = join(ROOT, '.cache', 'otlp-receiver');

function goCommand(): string {
  for (const candidate of [process.env.GO_BIN, 'go', '/usr/local/go/bin/go']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['version'], { encoding: 'utf8', timeout: 60_000 });
    if (!r.error && r.status === 0) return candidate;
  }
  throw new Error('the tracing test needs a Go toolchain to build its OTLP receiver (test/otlp-receiver): none on PATH, in GO_BIN or at /usr/local/go/bin/go (.ci/run installs one)');
}

export function buildOtlpReceiver(): string {
  const go = goCommand();
  const version = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  const hash = createHash('sha256').update(version);
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(`\0${f}\0`).update(readFileSync(join(SOURCE, f)));
  const binary = join(CACHE, `otlp-receiver-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${binary}.tmp-${process.pid}`;
  const r = spawnSync(go, ['build', '-trimpath', '-o', tmp, '.'], { cwd: SOURCE, encoding: 'utf8', timeout: 600_000, env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' ') } });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build of test/otlp-receiver failed (${r.error ? r.error.message : `exit ${r.status}`}):\n${(r.stderr || '').slice(-3000)}`);
  }
  renameSync(tmp, binary); // atomic: a concurrent run sees the whole binary or none
  return binary;
}

export interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  startNs: number;
  endNs: number;
  status: string;
  attributes: Record<string, unknown>;
  links: string[];
}

export interface OtlpReceiver {
  endpoint: string;
  process: ChildProcess;
  spans(): ExportedSpan[];
  stop(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1:<port> (OTLP/HTTP), writing spans to `out`; resolves once it listens. */
export function startOtlpReceiver(binary: string, port: number, out: string): Promise<OtlpReceiver> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-http', `127.0.0.1:${port}`, '-out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`OTLP receiver did not start within 20 s: ${output}`)), 20_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('otlp-receiver listening')) {
        clearTimeout(timer);
        resolve({
          endpoint: `http://127.0.0.1:${port}`,
          process: child,
          spans: () =>
            existsSync(out)
              ? readFileSync(out, 'utf8')
                  .split('\n')
                  .filter((l) => l.trim() !== '')
                  .map((l) => JSON.parse(l) as ExportedSpan)
              : [],
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OTLP receiver exited (${code}): ${output}`));
    });
  });
}
