import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { JsonLogger } from '@app/common';
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
 * kafkajs lines we expect on every start and that need no action: logged at debug (with the reason), so a
 * warning in the logs still means something. Matched exactly, namespace and message.
 */
const EXPECTED: { namespace: string; message: string; why: string }[] = [
  {
    // kafkajs (src/producer/index.js) warns whenever an idempotent producer gets fewer retries than
    // Number.MAX_SAFE_INTEGER, once per producer: 4 for the ingress's pool, 2 per partition (6) for an
    // agent's transactional producers. Bounded retries are deliberate here: idempotence still removes the
    // duplicates of kafkajs's own retries, and a send that finally fails is never silently lost: the
    // ingress answers 503 and the provider redelivers with the same event id (agents skip it by id), and
    // an agent's failed transaction aborts (read_committed readers never see it) and its records are
    // re-read from the committed offsets.
    namespace: 'Producer',
    message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees',
    why: 'expected: retries are bounded on purpose; a failed send is answered 503 (ingress) or aborts its transaction (agents), and event ids deduplicate',
  },
];

/**
 * kafkajs's Connection logs every error response at ERROR before its caller retries it. These three are
 * what a coordinator says while it loads or moves (every start of a fresh broker shows a dozen per agent):
 * kafkajs retries exactly these for InitProducerId (INIT_PRODUCER_RETRIABLE_PROTOCOL_ERRORS in
 * src/producer/eosManager) and while finding a group coordinator (src/cluster), so they are harmless. Had
 * the retries run out, the call would reject and our code logs that failure as a warning itself.
 */
const COORDINATOR_SETTLING = new Set([
  "The coordinator is loading and hence can't process requests for this group", // GROUP_LOAD_IN_PROGRESS
  'The group coordinator is not available', // GROUP_COORDINATOR_NOT_AVAILABLE
  'This is not the correct coordinator for this group', // NOT_COORDINATOR_FOR_GROUP
]);

function expected(namespace: string | undefined, message: string, fields: Record<string, unknown>): string | undefined {
  if (namespace === 'Connection' && message.startsWith('Response ') && typeof fields.error === 'string' && COORDINATOR_SETTLING.has(fields.error)) {
    return 'expected while a coordinator loads or moves; kafkajs retries it, and a call that still fails is logged by our code';
  }
  return EXPECTED.find((e) => e.namespace === namespace && e.message === message)?.why;
}

/** A kafkajs client whose logs go through our logger (kafkajs logs at WARN and above). */
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
      const why = expected(entry.namespace, message, fields);
      if (why) return logger.write('debug', `kafkajs: ${message}`, { namespace: entry.namespace, ...fields, why });
      logger.write(LEVELS[entry.level] ?? 'info', `kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
    },
  });
}
