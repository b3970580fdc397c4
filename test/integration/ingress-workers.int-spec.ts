import { request } from 'node:http';
import { join } from 'node:path';
import { readUntil, testKafka, unique, waitFor } from '../support/kafka';
import { ROOT, SECRETS, signed } from '../support/ingress';
import { freePort, spawnApp, stopped } from '../support/processes';

/** One request on a connection of its own (the cluster hands out connections, not requests). */
function send(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, connection: 'close' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ingress with INGRESS_WORKERS=2 (Node cluster, real broker)', () => {
  it('serves from both workers, sums their metrics, and stops every worker on SIGTERM', async () => {
    const port = await freePort();
    const prefix = `${unique('itw')}.`;
    const child = spawnApp('ingress', {
      ...SECRETS,
      INGRESS_WORKERS: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      KAFKA_TOPIC_PREFIX: prefix,
      PROVIDERS_FILE: join(ROOT, 'config', 'providers.yaml'),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
    const tail = () => (child as unknown as { tail: () => string }).tail();
    // The lines that matter, whatever else the processes log (spawnApp keeps only the last 4 KB).
    let output = '';
    const workerPids = new Set<number>();
    let stoppedLine = false;
    child.stdout?.on('data', (b: Buffer) => {
      output = (output + b.toString()).slice(-100_000);
      for (const m of output.matchAll(/"ingress listening".*?"pid":(\d+)/g)) workerPids.add(Number(m[1]));
      if (output.includes('"ingress stopped"')) stoppedLine = true;
    });
    try {
      await waitFor(async () => ((await send(port, 'GET', '/health/ready').catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 60_000, 200);
      await waitFor(() => (workerPids.size >= 2 ? true : undefined), 60_000, 200).catch((e: Error) => {
        throw new Error(`${e.message}; output: ${tail()}`);
      });
      expect(workerPids.size).toBe(2);

      const n = 40;
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = `evt-workers-${i}`;
        ids.push(id);
        const body = Buffer.from(JSON.stringify({ id, type: 'lead.created', data: { id: `lead-${i}`, email: `w${i}@example.com` } }));
        const res = await send(port, 'POST', '/webhooks/crm', body, signed('crm', body));
        expect(res.status).toBe(202);
      }
      const records = await readUntil(testKafka(), [`${prefix}leads.created`], (r) => r.length >= n);
      expect(new Set(records.map((r) => String(r.message.headers?.ce_id)))).toEqual(new Set(ids));

      // Whichever worker answers /metrics, it reports the sum over both (each served some of the 40).
      for (let i = 0; i < 4; i++) {
        const metrics = await send(port, 'GET', '/metrics');
        expect(metrics.status).toBe(200);
        expect(metrics.text).toMatch(new RegExp(`hookline_ingress_requests_total\\{[^}]*outcome="accepted"[^}]*\\} ${n}\\b`));
      }

      child.kill('SIGTERM');
      await stopped(child);
      expect(child.exitCode).toBe(0);
      await waitFor(() => ([...workerPids].every((pid) => !alive(pid)) ? true : undefined), 10_000, 100);
      expect(stoppedLine).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
