import * as zlib from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressSync as snappyRaw } from 'snappy';
import { codecs, registerCodecs, snappyDecode } from './codecs';

const text = Buffer.from('hookline '.repeat(500));
const enc = (b: Buffer) => ({ buffer: b });

describe('Kafka compression codecs', () => {
  it('registers snappy, lz4 and zstd with kafkajs (gzip is built in)', () => {
    registerCodecs();
    const codecsByType = CompressionCodecs as Record<number, () => unknown>;
    for (const t of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) expect(() => codecsByType[t]()).not.toThrow();
  });

  it.each(['snappy', 'lz4'] as const)('%s round-trips', async (name) => {
    const packed = await codecs[name].compress(enc(text));
    expect(packed.length).toBeLessThan(text.length);
    expect(await codecs[name].decompress(packed)).toEqual(text);
  });

  it('reads snappy in xerial framing (what Java producers write), several blocks', async () => {
    const a = text.subarray(0, 1000);
    const b = text.subarray(1000);
    const block = (x: Buffer) => {
      const c = snappyRaw(x);
      const len = Buffer.alloc(4);
      len.writeInt32BE(c.length);
      return Buffer.concat([len, c]);
    };
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(await snappyDecode(Buffer.concat([header, block(a), block(b)]))).toEqual(text);
    await expect(snappyDecode(Buffer.concat([header, block(a)]).subarray(0, 30))).rejects.toThrow(/truncated/);
  });

  it('reads zstd', async () => {
    // A zstd frame of "hello" (content size in the header), made by the reference zstd CLI.
    const frame = Buffer.from('KLUv/SAFKQAAaGVsbG8=', 'base64');
    expect((await codecs.zstd.decompress(frame)).toString()).toBe('hello');
    const z = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
    if (z.zstdCompressSync) expect(await codecs.zstd.decompress(await codecs.zstd.compress(enc(text)))).toEqual(text);
  });
});
