import { readDeadLetters, redriveDeadLetters, replayIntoAgent, ReplayError } from '@app/agent';
import { ConfigError, type Env } from '@app/common';
import { EXIT, parseArgs, UsageError, type Command, type ReplayCliOptions, type TailOptions, type TraceOptions } from './args';
import { dlqJson, dlqListText, dlqShowText, progressBar, redriveText, replayText, tailJson, tailLine, traceJson, traceText } from './format';
import { agentsWithDeadLetters, asError, BrokerUnreachable, isConnectionError, missingTopics, openSession, readTrace, tailTopics, unreachableMessage, type Session } from './kafka';
import { decodeRecord, eventTopics } from '@app/kafka';
import { findRepoRoot, planAgent, planText, writePlan } from './new-agent';

export interface Io {
  env: Env;
  /** Where `new agent` looks for the repository checkout; the process's working directory by default. */
  cwd?: string;
  out: (line: string) => void;
  err: (line: string) => void;
  /** A progress line (stderr, rewritten in place); undefined clears it. Only given when stderr is a terminal. */
  progress?: (text: string | undefined) => void;
  /** Calls `handler` on Ctrl-C; returns a function that removes it. */
  onInterrupt?: (handler: () => void) => () => void;
}

/** Exit codes: 0 done; 1 nothing found or failed; 2 usage or configuration; 3 Kafka unreachable. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`hookline: ${e.message}\n(hookline --help for usage)`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    io.out(command.text);
    return EXIT.ok;
  }
  if (command.kind === 'new-agent') return newAgent(command, io);
  let session: Session | undefined;
  try {
    session = await openSession(io.env);
    return await run(command, session, io);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`hookline: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof BrokerUnreachable) {
      io.err(`hookline: ${e.message}`);
      return EXIT.unreachable;
    }
    if (isConnectionError(e) && session) {
      io.err(`hookline: ${unreachableMessage(session.conn.brokers, e)}`);
      return EXIT.unreachable;
    }
    io.err(`hookline: failed: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.notFound;
  } finally {
    io.progress?.(undefined);
    await session?.close();
  }
}

/** `new agent`: plans everything (and refuses) before writing a file; needs no Kafka. */
function newAgent(command: Extract<Command, { kind: 'new-agent' }>, io: Io): number {
  const cwd = io.cwd ?? process.cwd();
  const root = findRepoRoot(cwd);
  if (root === undefined) {
    io.err(`hookline: new agent works in a hookline repository checkout (nest-cli.json, package.json, libs/contracts), and ${cwd} is not in one`);
    return EXIT.usage;
  }
  let plan;
  try {
    plan = planAgent(root, command);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`hookline: ${e.message}`);
    return EXIT.usage;
  }
  if (!command.dryRun) {
    try {
      writePlan(root, plan);
    } catch (e) {
      io.err(`hookline: could not write the agent's files: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.notFound;
    }
  }
  for (const line of planText(plan, command.dryRun)) io.out(line);
  return EXIT.ok;
}

async function run(command: Exclude<Command, { kind: 'help' | 'new-agent' }>, session: Session, io: Io): Promise<number> {
  switch (command.kind) {
    case 'events-tail':
      return tail(command.options, session, io);
    case 'events-trace':
      return trace(command.options, session, io);
    case 'dlq-list':
    case 'dlq-show':
    case 'dlq-redrive':
      return dlq(command, session, io);
    case 'replay':
      return replay(command.options, session, io);
  }
}

function prefixNote(session: Session): string {
  return session.prefix ? ` under KAFKA_TOPIC_PREFIX="${session.prefix}"` : ' (KAFKA_TOPIC_PREFIX is empty)';
}

async function tail(options: TailOptions, session: Session, io: Io): Promise<number> {
  const missing = missingTopics(session, options.topics);
  if (missing.length > 0) {
    io.err(`hookline: no topic ${missing.join(', ')}${prefixNote(session)} on the cluster`);
    return EXIT.notFound;
  }
  const types = new Set(options.types);
  let printed = 0;
  let reason: 'max' | 'timeout' | 'interrupt' | undefined;
  const handle = await tailTopics(session, options.topics, options.fromBeginning, (topic, partition, message) => {
    const rec = decodeRecord(topic, partition, message);
    if (types.size > 0 && (rec.type === undefined || !types.has(rec.type))) return false;
    io.out(options.json ? tailJson(rec) : tailLine(rec));
    printed++;
    if (options.max !== undefined && printed >= options.max) {
      reason ??= 'max';
      return true;
    }
    return false;
  });
  // On a terminal only: a pipe gets nothing but the events.
  if (io.progress) io.err(`tailing ${options.topics.join(', ')}${options.fromBeginning ? ' from the beginning' : ''}; Ctrl-C to stop`);
  const timer = options.timeoutSeconds === undefined ? undefined : setTimeout(() => {
    reason ??= 'timeout';
    handle.stop();
  }, options.timeoutSeconds * 1000);
  const removeInterrupt = io.onInterrupt?.(() => {
    reason ??= 'interrupt';
    handle.stop();
  });
  try {
    await handle.stopped;
  } finally {
    if (timer) clearTimeout(timer);
    removeInterrupt?.();
    io.progress?.(undefined);
  }
  const failure = handle.failure();
  if (failure !== undefined) throw asError(failure);
  if (reason === 'timeout' && (printed === 0 || (options.max !== undefined && printed < options.max))) {
    io.err(`hookline: ${printed} event${printed === 1 ? '' : 's'} within ${options.timeoutSeconds} s${options.max !== undefined ? ` (--max ${options.max})` : ''}`);
    return EXIT.notFound;
  }
  return EXIT.ok;
}

/** Every topic trace reads: the registry's, webhooks.<provider> ones and agents' dead-letter topics, that exist. */
export function traceTopics(session: Session): string[] {
  return eventTopics(session.prefix, session.topics);
}

async function trace(options: TraceOptions, session: Session, io: Io): Promise<number> {
  const topics = traceTopics(session);
  if (topics.length === 0) {
    io.err(`hookline: no hookline topics${prefixNote(session)} on the cluster`);
    return EXIT.notFound;
  }
  const result = await readTrace(session, topics, {
    deadlineMs: options.timeoutSeconds * 1000,
    onProgress: io.progress ? (p) => io.progress?.(`reading ${topics.length} topics: ${p.read.toLocaleString('en-US')} of ~${p.total.toLocaleString('en-US')} records, ${p.partitionsLeft} partitions left`) : undefined,
  });
  io.progress?.(undefined);
  if (!result.complete) {
    io.err(`hookline: warning: stopped after ${options.timeoutSeconds} s before the end of ${result.unfinished.join(', ')} (an open transaction holds read_committed readers back); the trace may be partial`);
  }
  const found = result.index.trace(options.id);
  if (options.json) io.out(traceJson(found, topics.length, result.complete));
  if (found.roots.length === 0) {
    io.err(`hookline: no event with ce_id or ce_deliveryid "${options.id}" in ${topics.length} topics${prefixNote(session)}`);
    return EXIT.notFound;
  }
  if (!options.json) for (const line of traceText(found, topics.length)) io.out(line);
  return EXIT.ok;
}

async function dlq(command: Extract<Command, { kind: 'dlq-list' | 'dlq-show' | 'dlq-redrive' }>, session: Session, io: Io): Promise<number> {
  const agent = command.agent;
  if (missingTopics(session, [`${agent}.dlq`]).length > 0) {
    const known = agentsWithDeadLetters(session);
    io.err(`hookline: no dead-letter topic ${agent}.dlq${prefixNote(session)} (agents with one: ${known.length > 0 ? known.join(', ') : 'none'})`);
    return EXIT.notFound;
  }
  if (command.kind === 'dlq-redrive') {
    const report = await redriveDeadLetters(session.kafka, {
      agent,
      topicPrefix: session.prefix,
      ...(command.all ? { all: true } : { ids: command.ids }),
      dryRun: command.dryRun,
    });
    if (command.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of redriveText(report, agent)) io.out(line);
    return report.notFound.length > 0 ? EXIT.notFound : EXIT.ok;
  }
  const letters = await readDeadLetters(session.kafka, agent, session.prefix);
  if (command.kind === 'dlq-list') {
    if (command.json) for (const d of letters) io.out(dlqJson(d));
    else if (letters.length === 0) io.err(`${agent}.dlq holds no dead letters`);
    else for (const line of dlqListText(letters)) io.out(line);
    return EXIT.ok;
  }
  const copies = letters.filter((d) => d.id === command.id);
  if (copies.length === 0) {
    io.err(`hookline: ${command.id} is not on ${agent}.dlq (${letters.length} dead letter${letters.length === 1 ? '' : 's'} there; hookline dlq list ${agent})`);
    return EXIT.notFound;
  }
  if (command.json) for (const d of copies) io.out(dlqJson(d));
  else
    copies.forEach((d, i) => {
      if (i > 0) io.out('');
      for (const line of dlqShowText(d, i, copies.length, agent)) io.out(line);
    });
  return EXIT.ok;
}

async function replay(options: ReplayCliOptions, session: Session, io: Io): Promise<number> {
  if (missingTopics(session, [options.topic]).length > 0) {
    io.err(`hookline: no topic ${options.topic}${prefixNote(session)} on the cluster`);
    return EXIT.notFound;
  }
  if (missingTopics(session, [`${options.agent}.retry`]).length > 0) {
    const known = agentsWithDeadLetters(session);
    io.err(`hookline: unknown agent ${options.agent}: no ${options.agent}.retry${prefixNote(session)} (agents: ${known.length > 0 ? known.join(', ') : 'none'})`);
    return EXIT.notFound;
  }
  let report;
  try {
    report = await replayIntoAgent(session.kafka, {
      agent: options.agent,
      topic: options.topic,
      topicPrefix: session.prefix,
      sinceMs: options.sinceMs,
      ...(options.untilMs !== undefined ? { untilMs: options.untilMs } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(options.shadowPrefix !== undefined ? { shadowPrefix: options.shadowPrefix } : {}),
      dryRun: options.dryRun,
      deadlineMs: options.timeoutSeconds * 1000,
      onProgress: io.progress ? (p) => io.progress?.(`replaying ${options.topic} into ${options.agent}: ${progressBar(p.read, p.total)} ${p.read.toLocaleString('en-US')}/~${p.total.toLocaleString('en-US')} read, ${p.written.toLocaleString('en-US')} written`) : undefined,
    });
  } catch (e) {
    if (!(e instanceof ReplayError)) throw e;
    io.err(`hookline: ${e.message}`);
    return EXIT.notFound;
  }
  io.progress?.(undefined);
  if (!report.complete) io.err(`hookline: warning: stopped after ${options.timeoutSeconds} s before the end of the range; what was read was replayed`);
  if (options.json) io.out(JSON.stringify(report, null, 2));
  else if (report.replayed > 0) for (const line of replayText(report)) io.out(line);
  if (report.replayed === 0) {
    io.err(`hookline: nothing to replay: no record of ${options.topic}${options.key !== undefined ? ` with key "${options.key}"` : ''} between ${report.since} and ${report.until ?? 'now'}`);
    return EXIT.notFound;
  }
  return EXIT.ok;
}

/** The process: stdout for results, stderr for messages and (on a terminal) a progress line. */
export function runCli(argv: readonly string[] = process.argv.slice(2)): void {
  const tty = process.stderr.isTTY === true;
  let progressShown = false;
  let lastProgress = 0;
  const io: Io = {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => {
      if (progressShown) process.stderr.write('\r\x1b[K');
      progressShown = false;
      process.stderr.write(`${line}\n`);
    },
    progress: tty
      ? (text) => {
          if (text === undefined) {
            if (progressShown) process.stderr.write('\r\x1b[K');
            progressShown = false;
            return;
          }
          const now = Date.now();
          if (progressShown && now - lastProgress < 100) return;
          lastProgress = now;
          progressShown = true;
          process.stderr.write(`\r\x1b[K${text.slice(0, Math.max(20, (process.stderr.columns || 100) - 1))}`);
        }
      : undefined,
    onInterrupt: (handler) => {
      let count = 0;
      const onSignal = () => {
        // A second Ctrl-C while stopping ends the process at once.
        if (++count > 1) process.exit(130);
        handler();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
    },
  };
  main(argv, io).then(
    (code) => exit(code),
    (e: unknown) => {
      process.stderr.write(`hookline: ${e instanceof Error ? e.message : String(e)}\n`);
      exit(EXIT.notFound);
    },
  );
}

/** Exits once stdout is flushed: kafkajs may still hold timers (a retry after a failed connect). */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

if (require.main === module) runCli();
