/**
 * kafkajs 2.2.4 filters aborted transactions in read_committed fetches by entering at most one aborted
 * transaction per message. When a fetch starts after the first offsets of several aborted transactions
 * (common with many transactional producers on one partition), records of the others leak through as if
 * committed. patches/kafkajs+2.2.4.patch (applied by patch-package on install) enters all of them.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (a: {
  messages: Msg[];
  abortedTransactions: { producerId: string; firstOffset: string }[];
}) => Msg[];

interface Msg {
  offset: string;
  key: Buffer | null;
  batchContext: { producerId: string; inTransaction: boolean };
}

const data = (offset: number, pid: string): Msg => ({ offset: String(offset), key: Buffer.from('k'), batchContext: { producerId: pid, inTransaction: true } });
const abortMarker = (offset: number, pid: string): Msg => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), batchContext: { producerId: pid, inTransaction: true } });
const commitMarker = (offset: number, pid: string): Msg => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 1]), batchContext: { producerId: pid, inTransaction: true } });

describe('kafkajs read_committed filtering (patched)', () => {
  it('drops the records of every aborted transaction that began before the fetch', () => {
    // Producers 1 and 2 each began a transaction (offsets 10 and 11) that was later aborted; the fetch
    // starts at 12. Producer 3 commits in between.
    const messages = [data(12, '2'), data(13, '1'), data(14, '3'), commitMarker(15, '3'), abortMarker(16, '1'), abortMarker(17, '2'), data(18, '2'), commitMarker(19, '2')];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { producerId: '1', firstOffset: '10' },
        { producerId: '2', firstOffset: '11' },
      ],
    });
    expect(kept.filter((m) => m.key?.toString() === 'k').map((m) => m.offset)).toEqual(['14', '18']);
  });

  it('keeps a committed transaction of a producer whose earlier transaction was aborted', () => {
    const messages = [data(1, '7'), abortMarker(2, '7'), data(3, '7'), commitMarker(4, '7')];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ producerId: '7', firstOffset: '1' }] });
    expect(kept.filter((m) => m.key?.toString() === 'k').map((m) => m.offset)).toEqual(['3']);
  });
});
