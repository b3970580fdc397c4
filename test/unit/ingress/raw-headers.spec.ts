import { headersAsSent } from '@app/webhooks';

describe('headersAsSent: a header sent twice is seen twice, not joined', () => {
  it.each([
    ['a header sent once keeps its parsed value', ['x-a', '1'], { 'x-a': '1' }, { 'x-a': '1' }],
    ['a repeated signature keeps both values', ['Stripe-Signature', 't=1,v1=a', 'stripe-signature', 't=1,v1=a'], { 'stripe-signature': 't=1,v1=a, t=1,v1=a' }, { 'stripe-signature': ['t=1,v1=a', 't=1,v1=a'] }],
    ['a repeated content type keeps both, where Node keeps the first', ['content-type', 'application/json', 'Content-Type', 'text/plain'], { 'content-type': 'application/json' }, { 'content-type': ['application/json', 'text/plain'] }],
    ['other headers are left as parsed', ['x-a', '1', 'x-b', '2', 'x-b', '3'], { 'x-a': '1', 'x-b': '2, 3' }, { 'x-a': '1', 'x-b': ['2', '3'] }],
  ])('%s', (_what, raw, parsed, expected) => {
    expect(headersAsSent(raw, parsed)).toEqual(expected);
  });
});
