import { transition, type OrderState } from '../../../apps/fulfillment-agent/src/orders/order-state';

const state = (status: OrderState['status'], lastSequence = 1): OrderState => ({
  orderId: 'o1',
  status,
  shipmentId: 'shp_1',
  lastSequence,
  email: 'a@example.com',
  customer: { email: 'a@example.com' },
  lines: [],
  total: '1.00',
  currency: 'EUR',
  billed: false,
});

describe('order life cycle', () => {
  it.each([
    ['dispatched', 'shipped', undefined, 'advance'],
    ['dispatched', 'in_transit', undefined, 'advance'],
    ['in_transit', 'shipped', undefined, 'advance'],
    ['shipped', 'delivered', undefined, 'advance'],
    ['dispatched', 'delivered', undefined, 'advance'],
    ['dispatched', 'exception', undefined, 'advance'],
    ['exception', 'shipped', undefined, 'advance'],
    ['shipped', 'shipped', undefined, 'ignore'],
    ['delivered', 'shipped', undefined, 'impossible'],
    ['delivered', 'exception', undefined, 'impossible'],
    ['delivered', 'delivered', undefined, 'ignore'],
    ['shipped', 'in_transit', undefined, 'ignore'],
    ['shipped', 'delivered', 1, 'ignore'],
  ] as const)('%s + %s (sequence %s) → %s', (from, to, sequence, kind) => {
    expect(transition(state(from, 1), { status: to, sequence, shipmentId: 'shp_1' }).kind).toBe(kind);
  });

  it('refuses an update for another shipment as impossible', () => {
    expect(transition(state('dispatched'), { status: 'shipped', shipmentId: 'shp_other' })).toEqual({
      kind: 'impossible',
      why: expect.stringContaining('shp_other') as string,
    });
  });
});
