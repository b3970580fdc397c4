import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { JsonLogger } from '../logging/logger';
import { registerCodecs } from './codecs';
import type { KafkaConnection } from './connection';

// kafkajs logs retriable conditions (leader moved, coordinator loading) at ERROR; what is truly an error
// surfaces to our code as a rejected call, so its own messages are warnings here.
const LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose logs go through our JSON logger (kafkajs logs at WARN and above), able to read
 * every Kafka compression codec (see codecs.ts).
 */
export function createKafka(conn: KafkaConnection, logger?: JsonLogger): Kafka {
  registerCodecs();
  // kafkajs's default partitioner warning is noise: we set the partitioner explicitly where we produce.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new Kafka({
    clientId: conn.clientId,
    brokers: conn.brokers,
    ssl: conn.ssl,
    sasl: conn.sasl,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...fields } = entry.log;
      logger.write(LEVELS[entry.level] ?? 'info', `kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
    },
  });
}
