import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * The record-batch encoding of our kafkajs patch (patches/kafkajs+2.2.4.patch): varints written in place,
 * one buffer per record with its headers (each header's byte lengths computed once), pre-sized batch
 * encoders, a slicing-by-8 CRC32C, the default partitioner's murmur2 in 32-bit arithmetic and a send's
 * messages grouped by partition in one pass. Every produce
 * request of the ingress and the agents goes through it; these cases hold it to the wire format, against
 * reference encoders written here byte by byte and against kafkajs's own decoders. (A real broker checks the
 * CRC and the record layout too: every integration test produces through it.)
 */
const load = createRequire(require.resolve('kafkajs'));
// Internal modules of the pinned kafkajs 2.2.4 (the patch pins it as well).
const crc32C = load('./src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
const Encoder = load('./src/protocol/encoder.js') as {
  new (size?: number): { writeVarInt(v: number): unknown; writeVarLong(v: unknown): unknown; writeUVarInt(v: number): unknown; buffer: Buffer };
  sizeOfVarInt(v: number): number;
  sizeOfVarLong(v: unknown): number;
};
const Decoder = load('./src/protocol/decoder.js') as new (b: Buffer) => { readVarInt(): number; readVarLong(): { toString(): string } };
const Long = load('./src/utils/long.js') as { fromValue(v: unknown): unknown };
const murmur2 = load('./src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;
const produceV3 = load('./src/protocol/requests/produce/v3/request.js') as (args: object) => { encode(): Promise<{ buffer: Buffer }> };
const decodeBatch = load('./src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: { key: Buffer; value: Buffer; headers: Record<string, Buffer | Buffer[]>; offset: string; timestamp: string }[];
}>;

/** CRC32-C one byte at a time, from the polynomial (0x82F63B78, reflected). */
function referenceCrc32C(buf: Buffer): number {
  let crc = ~0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/** Zigzag LEB128 of a 64-bit integer, with BigInt. */
function referenceVarLong(v: bigint): Buffer {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

describe('kafkajs record-batch encoding (patched)', () => {
  it('computes CRC32-C: the check value, and random buffers of every alignment', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    const big = randomBytes(70_000);
    for (let n = 0; n < 200; n++) {
      const slice = big.subarray(n % 9, (n % 9) + n * 7);
      expect(crc32C(slice)).toBe(referenceCrc32C(slice));
    }
    expect(crc32C(big)).toBe(referenceCrc32C(big));
  });

  // Kafka's own vectors (UtilsTest.testMurmur2): a key lands on the partition Java clients choose for it.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes key %p with murmur2 as Kafka does', (key, hash) => {
    expect(murmur2(key)).toBe(hash);
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  const int32Edges = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, 2 ** 20, 2 ** 30 - 1, 2 ** 30, -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31)];

  it.each(int32Edges)('writes varint %p as zigzag LEB128, of the size it announces', (v) => {
    const e = new Encoder();
    e.writeVarInt(v);
    expect(e.buffer).toEqual(referenceVarLong(BigInt(v)));
    expect(Encoder.sizeOfVarInt(v)).toBe(e.buffer.length);
    expect(new Decoder(e.buffer).readVarInt()).toBe(v);
  });

  it.each([...int32Edges, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, '1700000000000', '-9223372036854775808', '9223372036854775807'])(
    'writes varlong %p (int32 fast path, numbers beyond it, strings) like the 64-bit encoding',
    (v) => {
      const e = new Encoder();
      e.writeVarLong(typeof v === 'string' ? Long.fromValue(v) : v);
      expect(e.buffer).toEqual(referenceVarLong(BigInt(v)));
      expect(Encoder.sizeOfVarLong(v)).toBe(e.buffer.length);
      expect(new Decoder(e.buffer).readVarLong().toString()).toBe(String(v));
    },
  );

  it('writes records with their headers (strings, Buffers, repeated, non-ASCII) that decode to what was sent', async () => {
    const now = 1_764_000_000_000;
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: i % 5 === 0 ? null : `ada.${i}@example.com`,
      value: i % 7 === 0 ? null : Buffer.from(JSON.stringify({ i, text: 'ünïcødé ✓'.repeat(i % 40) })),
      headers: { ce_id: `evt-${i}`, ce_type: 'crm.lead.created', 'x-ünï': 'ç✓', ...(i % 3 === 0 ? { multi: ['a', Buffer.from([0, 255])] } : {}) },
      timestamp: String(now + (i % 11) * 1000),
    }));
    const request = await produceV3({
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromValue(42),
      producerEpoch: 3,
      topicData: [{ topic: 'leads.created', partitions: [{ partition: 2, firstSequence: 17, messages }] }],
    }).encode();
    // transactional_id (nullable string: -1), acks, timeout, [topic], partition, record set size, then the batch.
    const buf = request.buffer;
    let at = 2 + 2 + 4 + 4;
    at += 2 + buf.readInt16BE(at);
    expect(buf.readInt32BE(at)).toBe(1); // partitions
    expect(buf.readInt32BE(at + 4)).toBe(2);
    const batch = buf.subarray(at + 12, at + 12 + buf.readInt32BE(at + 8));
    // The batch's CRC (after partition leader epoch and magic) covers everything from the attributes on.
    expect(batch.readUInt32BE(8 + 4 + 4 + 1)).toBe(referenceCrc32C(batch.subarray(8 + 4 + 4 + 1 + 4)));

    const decoded = await decodeBatch(new Decoder(batch));
    expect(decoded.records).toHaveLength(messages.length);
    decoded.records.forEach((r, i) => {
      const m = messages[i];
      expect(r.offset).toBe(String(i));
      expect(r.timestamp).toBe(m.timestamp);
      expect(r.key === null ? null : r.key.toString()).toBe(m.key);
      expect(r.value).toEqual(m.value);
      expect(r.headers.ce_id).toEqual(Buffer.from(m.headers.ce_id));
      expect(r.headers['x-ünï']).toEqual(Buffer.from('ç✓'));
      if (i % 3 === 0) expect(r.headers.multi).toEqual([Buffer.from('a'), Buffer.from([0, 255])]);
    });
  });

  it("groups a send's messages by partition, each partition's in the order sent", () => {
    const group = load('./src/producer/groupMessagesPerPartition.js') as (args: {
      topic: string;
      partitionMetadata: unknown[];
      messages: { key: string }[];
      partitioner: (args: { message: { key: string } }) => number;
    }) => Record<string, { key: string }[]>;
    const messages = Array.from({ length: 5000 }, (_, i) => ({ key: `k${(i * 7919) % 1000}` }));
    const partitioner = ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 6;
    const grouped = group({ topic: 't', partitionMetadata: [{}], messages, partitioner });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let p = 0; p < 6; p++) expect(grouped[p]).toEqual(messages.filter((m) => partitioner({ message: m }) === p));
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual({});
  });
});
