import { signed } from '../support/ingress';
import { startIngress } from '../support/ingress-kafka';

/**
 * The ingress keeps nothing per request. Measured the only conclusive way: heap used right after forced
 * full collections (npm test runs jest under --expose-gc), every 5,000 requests through a real producer.
 */
const gc = (globalThis as { gc?: () => void }).gc;

describe('ingress memory (real broker, forced GC)', () => {
  it('holds no memory per request once warm', async () => {
    const ingress = await startIngress({ quiet: true });
    const collect = gc as () => void;
    const points: number[] = [];
    let n = 0;
    try {
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 5000; i += 50) {
          await Promise.all(
            Array.from({ length: 50 }, () => {
              const id = `mem-${n++}`;
              const body = Buffer.from(JSON.stringify({ id, type: 'lead.created', data: { id, email: `${id}@acme-corp.io`, company: 'Acme', company_size: 250 } }));
              return ingress.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: signed('crm', body) });
            }),
          );
        }
        collect();
        collect();
        points.push(process.memoryUsage().heapUsed);
      }
    } finally {
      await ingress.close();
    }
    // From the second checkpoint on (warm): 20,000 requests may not keep more than 100 bytes each.
    const perRequest = (points[points.length - 1] - points[1]) / 15_000;
    console.log(`ingress memory: heap after GC ${points.map((p) => (p / 2 ** 20).toFixed(2)).join(', ')} MiB per 5,000 requests; ${perRequest.toFixed(1)} B kept per request`);
    expect(perRequest).toBeLessThan(100);
  }, 180_000);
});
