import type { CarrierPort, Dispatch } from './carrier.port';

/** Talks to the carrier over HTTP (the carrier simulator in development). */
export class HttpCarrier implements CarrierPort {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  async dispatch(order: Parameters<CarrierPort['dispatch']>[0], idempotencyKey: string): Promise<Dispatch> {
    const body = await this.post('/v1/shipments', order, idempotencyKey);
    const { shipmentId, trackingNumber } = body as { shipmentId?: unknown; trackingNumber?: unknown };
    if (typeof shipmentId !== 'string') throw new Error('carrier answered without a shipmentId');
    return { shipmentId, trackingNumber: typeof trackingNumber === 'string' ? trackingNumber : undefined };
  }

  async subscribe(shipmentId: string, callbackUrl: string, idempotencyKey: string): Promise<void> {
    await this.post('/v1/webhook-subscriptions', { url: callbackUrl, shipmentId }, idempotencyKey);
  }

  private async post(path: string, payload: unknown, idempotencyKey: string): Promise<unknown> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`carrier ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return text ? (JSON.parse(text) as unknown) : {};
  }
}
