import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { main } from '../../../tools/webhook/cli';
import { FakeProducer, ingressWithFake, ROOT, SECRETS } from '../../support/ingress';

describe('webhook CLI against a running ingress', () => {
  let app: NestFastifyApplication;
  let producer: FakeProducer;
  let url: string;

  beforeAll(async () => {
    ({ app, producer } = await ingressWithFake());
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => app.close());
  beforeEach(() => (producer.records = []));

  async function run(argv: string[], env: Record<string, string> = SECRETS, cwd = ROOT) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { env, cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err, all: [...out, ...err].join('\n') };
  }

  it('sends each event and its duplicate, printing one line per answer and a summary', async () => {
    const { code, out } = await run(['send', 'crm', 'lead.created', '--count', '2', '--duplicate', '--url', url]);
    expect(out).toEqual([
      expect.stringMatching(/^#1 POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/crm id=evt_01HZX3K6W8Q2-1 -> 202 \{"id":"evt_01HZX3K6W8Q2-1","status":"accepted"\}$/),
      expect.stringMatching(/^#2 .* id=evt_01HZX3K6W8Q2-1 \(duplicate\) -> 202 /),
      expect.stringMatching(/^#3 .* id=evt_01HZX3K6W8Q2-2 -> 202 /),
      expect.stringMatching(/^#4 .* id=evt_01HZX3K6W8Q2-2 \(duplicate\) -> 202 /),
      'summary: 4 sent: 202 x4; all as expected (2xx)',
    ]);
    expect(code).toBe(0);
    expect(producer.records).toHaveLength(4);
  });

  it('never prints the secret or the signature', async () => {
    const { all } = await run(['send', 'crm', 'lead.created', '--url', url]);
    expect(all).not.toContain(SECRETS.WEBHOOK_SECRET_CRM);
    expect(all).not.toMatch(/[0-9a-f]{64}/);
  });

  it('exits 0 when a corrupted signature is refused with 401, as expected', async () => {
    const { code, out } = await run(['send', 'slack', 'event_callback', '--bad-signature', '--url', url]);
    expect(out[0]).toMatch(/-> 401 \{"error":\{"code":"SIGNATURE_INVALID"/);
    expect(out[1]).toBe('summary: 1 sent: 401 x1; all as expected (401 (refused))');
    expect(code).toBe(0);
  });

  it('exits 1 when an answer is not the expected one', async () => {
    const { code, out } = await run(['send', 'crm', 'lead.created', '--url', url], { ...SECRETS, WEBHOOK_SECRET_CRM: 'not-the-ingress-secret' });
    expect(out[1]).toBe('summary: 1 sent: 401 x1; 1 not 2xx');
    expect(code).toBe(1);
  });

  it('reads --file relative to the directory npm was run from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-cli-'));
    writeFileSync(join(dir, 'lead.json'), JSON.stringify({ id: 'evt_file_1', type: 'lead.created', data: { id: 'l9', email: 'file@example.com' } }));
    const { code, out } = await run(['send', 'crm', 'lead.created', '--file', 'lead.json', '--url', url], SECRETS, dir);
    expect(out[0]).toMatch(/id=evt_file_1 -> 202/);
    expect(code).toBe(0);
  });

  it('exits 2 naming the variable when the secret is missing, sending nothing', async () => {
    const { code, err } = await run(['send', 'github', 'push', '--url', url], {});
    expect(err).toEqual([expect.stringMatching(/^WEBHOOK_SECRET_GITHUB is not set/)]);
    expect(code).toBe(2);
    expect(producer.records).toHaveLength(0);
  });

  it('exits 2 naming the variable, without echoing it, when the secret is unusable', async () => {
    const { code, err } = await run(['send', 'logistics', 'shipment.shipped'], { WEBHOOK_SECRET_LOGISTICS: 'whsec_%%%' });
    expect(err[0]).toMatch(/^WEBHOOK_SECRET_LOGISTICS: .*not valid base64/);
    expect(err[0]).not.toContain('%%%');
    expect(code).toBe(2);
  });

  it('exits 2 with the usage hint on a bad command line', async () => {
    const { code, err } = await run(['send', 'crm', 'lead.created', '--count', 'many']);
    expect(err[0]).toMatch(/^error: --count must be a whole number/);
    expect(code).toBe(2);
  });

  it('reports an unreachable ingress as a network error and exits 1', async () => {
    // Port 0 can never be listened on, so the connection is refused whatever else runs on the machine
    // (a port found free and closed again a moment ago may be taken by another process in between).
    const free = 0;
    const { code, out } = await run(['send', 'stripe', 'payment_intent.succeeded', '--url', `http://127.0.0.1:${free}`]);
    expect(out[0]).toMatch(/-> network error: fetch failed: .*(ECONNREFUSED|EADDRNOTAVAIL)/);
    expect(out[1]).toBe('summary: 1 sent: network error x1; 1 not 2xx');
    expect(code).toBe(1);
  });
});
