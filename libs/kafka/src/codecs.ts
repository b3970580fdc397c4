import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrameSync as lz4CompressFrameSync, decompressFrame as lz4DecompressFrame } from 'lz4-napi';
import { compressSync as snappyCompressSync, uncompress as snappyUncompress } from 'snappy';

/**
 * The one place that teaches kafkajs the compression codecs it lacks. kafkajs 2.2.4 reads only gzip; a
 * record batch compressed with snappy, lz4 or zstd by another producer makes its fetch throw a
 * non-retriable error, and the consumer stops for good. Every process that reads Kafka gets all four
 * through `createKafka`.
 *
 * - snappy: `snappy` (napi-rs, prebuilt binaries). Java producers wrap snappy in xerial's block framing,
 *   librdkafka and kafkajs codecs write raw snappy: both are read; raw is written.
 * - lz4: `lz4-napi` (napi-rs, prebuilt binaries), the LZ4 frame format Kafka uses for record batches v2.
 * - zstd: `fzstd` (pure JS) reads; writing uses node:zlib's zstd where the runtime has it (Node 22.15+).
 *   On Node 20 writing zstd is the one thing missing.
 *
 * The ingress compresses its produce requests with `KAFKA_COMPRESSION` (`compressionFromName`); the agents'
 * transactional producers do not compress.
 */

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** xerial snappy-java's stream header: magic (8 bytes), version and compatible version (4 bytes each). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

/** Raw snappy, or xerial's framing (a header, then blocks of [int32 length][raw snappy]). */
export async function snappyDecode(buffer: Buffer): Promise<Buffer> {
  if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return snappyUncompress(buffer) as Promise<Buffer>;
  }
  const parts: Buffer[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at < buffer.length) {
    if (at + 4 > buffer.length) throw new Error('truncated xerial snappy block header');
    const size = buffer.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > buffer.length) throw new Error('truncated xerial snappy block');
    parts.push((await snappyUncompress(buffer.subarray(at, at + size))) as Buffer);
    at += size;
  }
  return Buffer.concat(parts);
}

const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;

export const codecs: Record<'snappy' | 'lz4' | 'zstd', Codec> = {
  snappy: {
    // Synchronous: a batch of a few hundred KiB takes well under a millisecond, less than the hop to libuv's pool.
    compress: async (encoder) => snappyCompressSync(encoder.buffer),
    decompress: snappyDecode,
  },
  lz4: {
    compress: async (encoder) => lz4CompressFrameSync(encoder.buffer),
    decompress: async (buffer) => lz4DecompressFrame(buffer),
  },
  zstd: {
    compress: async (encoder) => {
      if (!zstdCompressSync) throw new Error('zstd compression needs Node 22.15 or newer (reading zstd works everywhere)');
      return zstdCompressSync(encoder.buffer);
    },
    decompress: async (buffer) => {
      const out = zstdDecompress(buffer);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  },
};

const TYPES = { snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD } as const;

/** The compression names a producer setting accepts, in kafkajs's terms. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

export function compressionFromName(name: CompressionName): CompressionTypes {
  return name === 'none' ? CompressionTypes.None : name === 'gzip' ? CompressionTypes.GZIP : TYPES[name];
}

let registered = false;

/**
 * Registers snappy, lz4 and zstd with kafkajs (gzip is built in). Idempotent. Test-only:
 * HOOKLINE_TEST_WITHOUT_CODECS (comma-separated names) leaves codecs out, to provoke a consumer that
 * meets a batch it cannot read.
 */
export function registerCodecs(env: NodeJS.ProcessEnv = process.env): void {
  if (registered) return;
  registered = true;
  const without = new Set((env.HOOKLINE_TEST_WITHOUT_CODECS ?? '').split(',').map((s) => s.trim().toLowerCase()));
  for (const name of Object.keys(TYPES) as (keyof typeof TYPES)[]) {
    if (without.has(name)) continue;
    const codec = codecs[name];
    (CompressionCodecs as Record<number, () => Codec>)[TYPES[name]] = () => codec;
  }
}
