import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './ingress';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../../scripts/native-kafka.js') as { KAFKA_VERSION: string };

export interface ConsoleRecord {
  /** null: a record without a key. */
  key: string | null;
  /** null: a tombstone. */
  value: string | null;
  /** A null value: a header without a value (kafkajs cannot write one; the Java client can). */
  headers?: Record<string, string | null>;
}

const NULL = '<NULL>';

/**
 * Writes records with Apache Kafka's own Java producer (kafka-console-producer), the way another team's
 * service would: with the given compression codec, xerial-framed snappy included. Needs the native
 * broker's jars (.cache/kafka) and java. The topic must exist.
 */
export function javaProduce(brokers: string, topic: string, codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd', records: ConsoleRecord[]): Promise<void> {
  const libs = join(ROOT, '.cache', 'kafka', native.KAFKA_VERSION, 'libs', '*');
  const line = (r: ConsoleRecord) => {
    const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}:${v ?? NULL}`);
    return [headers.length > 0 ? headers.join(',') : NULL, r.key ?? NULL, r.value ?? NULL].join('\t');
  };
  const args = [
    '-cp',
    libs,
    'org.apache.kafka.tools.ConsoleProducer',
    '--bootstrap-server',
    brokers,
    '--topic',
    topic,
    '--compression-codec',
    codec,
    '--batch-size',
    '1000',
    '--producer-property',
    'max.block.ms=20000',
    '--producer-property',
    'linger.ms=50',
    '--property',
    'parse.key=true',
    '--property',
    'parse.headers=true',
    '--property',
    `null.marker=${NULL}`,
    '--property',
    'key.separator=\t',
    '--property',
    'headers.delimiter=\t',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && !/ERROR/.test(out) ? resolve() : reject(new Error(`console producer (${codec}) failed (exit ${code}):\n${out.slice(-3000)}`))));
    child.stdin.end(records.map(line).join('\n') + '\n');
  });
}
