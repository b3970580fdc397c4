import { agentTopics, topicSpecs } from '@app/contracts';

/**
 * The command line of `hookline`: commands, their options and the help text of each. Pure: nothing here
 * reads the environment or talks to Kafka, so every rule is checked by table-driven unit tests.
 */

export interface TailOptions {
  /** Logical topic names (the registry's), resolved under KAFKA_TOPIC_PREFIX at run time. */
  topics: string[];
  fromBeginning: boolean;
  /** Only events whose ce_type is one of these (all when empty). */
  types: string[];
  json: boolean;
  max?: number;
  timeoutSeconds?: number;
}

export interface TraceOptions {
  id: string;
  json: boolean;
  timeoutSeconds: number;
}

export interface ReplayCliOptions {
  topic: string;
  agent: string;
  sinceMs: number;
  untilMs?: number;
  key?: string;
  /** The shadow prefix (--shadow: "shadow.", or --shadow-prefix P); undefined feeds the agent itself. */
  shadowPrefix?: string;
  dryRun: boolean;
  json: boolean;
  timeoutSeconds: number;
}

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'events-tail'; options: TailOptions }
  | { kind: 'events-trace'; options: TraceOptions }
  | { kind: 'dlq-list'; agent: string; json: boolean }
  | { kind: 'dlq-show'; agent: string; id: string; json: boolean }
  | { kind: 'dlq-redrive'; agent: string; ids: string[]; all: boolean; dryRun: boolean; json: boolean }
  | { kind: 'new-agent'; name: string; topics: string[]; port?: number; dryRun: boolean }
  | { kind: 'replay'; options: ReplayCliOptions };

/** A mistake in the command line: the message says what and how to fix it. Exit code 2. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, notFound: 1, usage: 2, unreachable: 3 } as const;

const MAX_EVENTS = 1_000_000_000;
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TRACE_TIMEOUT_SECONDS = 120;

const EXIT_CODES = `exit codes: 0 done, 1 nothing found or the operation failed, 2 usage or configuration error,
            3 Kafka unreachable (check KAFKA_BROKERS)`;

const ENVIRONMENT = `Kafka is found like every hookline process finds it: KAFKA_BROKERS (default 127.0.0.1:9092),
KAFKA_TOPIC_PREFIX, KAFKA_SSL*, KAFKA_SASL_*. Topic names are the registry's, without the prefix.`;

export const USAGE = `usage: hookline <command> [options]      (in the repo: npx hookline ... or npm run hookline -- ...)

  events tail <topic...>        print the CloudEvents on topics as they arrive (or from the beginning)
  events trace <id>             an event (by ce_id or provider delivery id) and everything it caused
  dlq list <agent>              the records an agent dead-lettered
  dlq show <agent> <id>         one dead letter: every header, its retry history, key and data
  dlq redrive <agent> ...       give dead-lettered events back to their agent
  replay <topic> --since ... --into <agent>
                                feed a time range of a topic to one agent again (or to its shadow)
  new agent <name> --topics ..  generate a runnable agent app with its tests (in a repository checkout)

  hookline <command> --help     options of one command

${ENVIRONMENT}
${EXIT_CODES}`;

export const EVENTS_USAGE = `usage: hookline events tail <topic...> [options]
       hookline events trace <id> [options]

  hookline events tail --help, hookline events trace --help for their options.`;

export const TAIL_USAGE = `usage: hookline events tail <topic...> [--from-beginning] [--type T]... [--json] [--max N] [--timeout S]

  Reads read_committed and prints one line per CloudEvent: time, topic/partition/offset, type, id,
  subject, key, causation (the event that caused it) and the first 80 characters of its data.
  Without --max it runs until Ctrl-C.

  <topic...>          registry topics (${topicSpecs()
    .map((t) => t.name)
    .slice(0, 3)
    .join(', ')}, ...), webhooks.<provider>, <agent>.dlq or <agent>.retry
  --from-beginning    start at the beginning of each topic (default: only new events)
  --type <T>          only events of this ce_type; repeat for several
  --json              one JSON object per event (all attributes, extensions and the data)
  --max <N>           stop after N events
  --timeout <S>       stop after S seconds; exits 1 if fewer than --max events (or none) were printed

${EXIT_CODES}`;

export const TRACE_USAGE = `usage: hookline events trace <id> [--json] [--timeout S]

  Finds the event whose ce_id (or provider delivery id, ce_deliveryid) is <id>, and every follow-up it
  caused, recursively through ce_causationid, across every registry topic, webhooks.<provider> topic and
  agent dead-letter topic (each read from the beginning to its end at call time, read_committed). Prints
  a tree: each event with its topic, partition/offset, time and the delay from its cause.

  --json              the tree as one JSON document
  --timeout <S>       give up reading after S seconds (default ${DEFAULT_TRACE_TIMEOUT_SECONDS}) and print what was found

${EXIT_CODES}; 1 also when no event matches <id>`;

export const DLQ_USAGE = `usage: hookline dlq list <agent> [--json]
       hookline dlq show <agent> <id> [--json]
       hookline dlq redrive <agent> (--id <id>... | --all) [--dry-run] [--json]

  <agent> is the agent's name (lead-agent, fulfillment-agent, ...): its dead letters are on <agent>.dlq.
  hookline dlq <command> --help for details.`;

export const DLQ_LIST_USAGE = `usage: hookline dlq list <agent> [--json]

  One line per dead-lettered record: event id, when it was dead-lettered, the reason, failed attempts,
  the topic it was read from, and the error (shortened). --json: one JSON object per record.

${EXIT_CODES}; 1 also when the agent has no dead-letter topic`;

export const DLQ_SHOW_USAGE = `usage: hookline dlq show <agent> <id> [--json]

  Every dead-lettered copy of event <id>: all its headers (retry_history as a list of attempts), its key
  and its data. --json: one JSON object per copy.

${EXIT_CODES}; 1 also when <id> is not dead-lettered`;

export const DLQ_REDRIVE_USAGE = `usage: hookline dlq redrive <agent> (--id <id>... | --all) [--dry-run] [--json]

  Gives dead-lettered events back to their agent through its retry topic, each to be processed once more
  (see redriveDeadLetters in @app/agent). Prints what was redriven (or, with --dry-run, what would be).

  --id <id>           an event id to redrive; repeat it, or list several ids after it
  --all               every dead-lettered event of the agent
  --dry-run           write nothing, print what would be redriven
  --json              the report as one JSON document

${EXIT_CODES}; 1 also when a requested id was not found`;

export const NEW_USAGE = `usage: hookline new agent <name> --topics <topic,...> [--port N] [--dry-run]

  hookline new agent --help for details.`;

export const NEW_AGENT_USAGE = `usage: hookline new agent <name> --topics <topic,...> [--port N] [--dry-run]

  Generates a runnable agent app in the repository checkout around the current directory:
  apps/<name> (main.ts with runAgent, a module, a controller with one @EventPattern handler per topic,
  tsconfig.app.json, README.md), test/unit/agents/<name>.spec.ts (the handlers with a fake context),
  test/integration/<name>.int-spec.ts (the agent on a real broker), and registers it: a nest-cli.json
  project, the package.json script start:<name>, a row in the boundaries table. As generated, it passes
  npm run lint and its tests; it counts the events of each key until you give it its job.

  <name>              lower-case kebab-case (like audit-agent), not the name of an existing app or library
  --topics <t,...>    registry topics it reads (${topicSpecs()
    .map((t) => t.name)
    .slice(0, 3)
    .join(', ')}, ...); repeat or comma-separate
  --port <N>          its /health and /metrics port (default: the first free one from 3110)
  --dry-run           list the files it would write, write nothing

  A topic that is not in the registry yet is one entry in Topics and SPECS in libs/contracts/src/topics.ts
  (and, if its records have a contract, a class in libs/contracts/src and a line in registry.ts).

exit codes: 0 generated (or listed), 1 a file could not be written, 2 usage error (a bad or taken name, an
            unknown topic, not in a repository checkout)`;

export const DEFAULT_SHADOW_PREFIX = 'shadow.';
export const DEFAULT_REPLAY_TIMEOUT_SECONDS = 600;

export const REPLAY_USAGE = `usage: hookline replay <topic> --since <duration|time> [--until <duration|time>] [--key K]
                      --into <agent> [--shadow | --shadow-prefix P] [--dry-run] [--json] [--timeout S]

  Feeds the records of <topic> whose timestamp is in [--since, --until) to one agent again, and to no other
  agent: they are written to the agent's own retry topic (<agent>.retry), which only that agent reads, with
  their partition, key, headers and data, and retry_topic naming <topic> so its handler for <topic> runs.
  The agent deduplicates them as usual: events its dedup window already saw are skipped; replaying the
  same range twice processes nothing the second time.

  --since <when>      start of the range: a duration back from now (90s, 15m, 2h, 7d) or a time
                      (2026-03-02T09:00:00Z, 2026-03-02)
  --until <when>      end of the range (exclusive), same forms; default: the end of the topic now
  --key <K>           only records with this key
  --into <agent>      the agent to feed (lead-agent, fulfillment-agent, ...); it must exist (<agent>.retry)
  --shadow            feed the agent's shadow instance instead, under the prefix "${DEFAULT_SHADOW_PREFIX}": its outputs go
                      to ${DEFAULT_SHADOW_PREFIX}<topic> and the real topics are untouched. Run the shadow with
                      AGENT_SHADOW_PREFIX=${DEFAULT_SHADOW_PREFIX} (README "Operating hookline"); its topics are created here.
  --shadow-prefix <P> like --shadow, under prefix P (ending in '.' or '-')
  --dry-run           read and count the range, write nothing
  --json              the report as one JSON document
  --timeout <S>       give up reading after S seconds (default ${DEFAULT_REPLAY_TIMEOUT_SECONDS})

${EXIT_CODES}; 1 also when the range is empty, the topic or the agent does not exist`;

interface OptionSpec {
  /** Options without a value. */
  flags: string[];
  /** Options with a value; repeated ones collect every value. */
  values: string[];
}

interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
  help: boolean;
}

function parseOptions(args: readonly string[], spec: OptionSpec): Parsed {
  const parsed: Parsed = { positional: [], flags: new Set(), values: new Map(), help: false };
  const rest = [...args];
  let optionsEnded = false;
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (optionsEnded || !arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    if (arg === '--') {
      optionsEnded = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, inline] = eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    if (spec.values.includes(name)) {
      const value = inline ?? rest.shift();
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      parsed.flags.add(name);
    } else {
      throw new UsageError(`unknown option "${name}"`);
    }
  }
  return parsed;
}

function single(p: Parsed, name: string): string | undefined {
  const v = p.values.get(name);
  if (v && v.length > 1) throw new UsageError(`${name} given more than once`);
  return v?.[0];
}

function parseCount(name: string, text: string): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_EVENTS)) throw new UsageError(`${name} must be a whole number of at least 1, got "${text}"`);
  return n;
}

function parseSeconds(name: string, text: string): number {
  const n = /^\d{1,7}(\.\d{1,3})?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && n <= MAX_TIMEOUT_SECONDS)) throw new UsageError(`${name} must be a number of seconds above 0 (at most ${MAX_TIMEOUT_SECONDS}), got "${text}"`);
  return n;
}

const PROVIDER_TOPIC = /^webhooks\.[a-z0-9][a-z0-9-]*$/;
const AGENT_TOPIC = /^([a-z0-9][a-z0-9-]*)\.(dlq|retry)$/;

/** The registry's topic names, for messages and for resolving. */
export function registryTopicNames(): string[] {
  return topicSpecs().map((t) => t.name);
}

/** A logical topic name the CLI can read: a registry topic, webhooks.<provider>, <agent>.dlq or <agent>.retry. */
export function checkTopic(name: string): string {
  const known = registryTopicNames();
  if (known.includes(name) || PROVIDER_TOPIC.test(name) || AGENT_TOPIC.test(name)) return name;
  throw new UsageError(`unknown topic "${name}" (known: ${known.join(', ')}; or webhooks.<provider>, <agent>.dlq, <agent>.retry)`);
}

export function checkAgent(agent: string | undefined): string {
  if (agent === undefined) throw new UsageError('missing <agent>: the agent\'s name, such as lead-agent');
  try {
    agentTopics(agent);
  } catch {
    throw new UsageError(`agent name must be lower-case kebab-case (like lead-agent), got "${agent}"`);
  }
  return agent;
}

function checkId(id: string | undefined, what = '<id>'): string {
  if (id === undefined) throw new UsageError(`missing ${what}`);
  // eslint-disable-next-line no-control-regex
  if (id.length > 1000 || /[\x00-\x1f\x7f]/.test(id)) throw new UsageError(`${what} must be up to 1000 characters without control characters`);
  return id;
}

function noExtra(p: Parsed, expected: number): void {
  if (p.positional.length > expected) throw new UsageError(`unexpected argument "${p.positional[expected]}"`);
}

const isHelp = (arg: string | undefined) => arg === undefined || arg === 'help' || arg === '--help' || arg === '-h';

/** `nowMs` is the time durations (--since 2h) count back from. */
export function parseArgs(argv: readonly string[], nowMs = Date.now()): Command {
  const [group, sub, ...rest] = argv;
  if (isHelp(group)) return { kind: 'help', text: USAGE };
  if (group === 'events') {
    if (isHelp(sub)) return { kind: 'help', text: EVENTS_USAGE };
    if (sub === 'tail') return parseTail(rest);
    if (sub === 'trace') return parseTrace(rest);
    throw new UsageError(`unknown command "events ${sub}": events tail or events trace`);
  }
  if (group === 'dlq') {
    if (isHelp(sub)) return { kind: 'help', text: DLQ_USAGE };
    if (sub === 'list') {
      const p = parseOptions(rest, { flags: ['--json'], values: [] });
      if (p.help) return { kind: 'help', text: DLQ_LIST_USAGE };
      noExtra(p, 1);
      return { kind: 'dlq-list', agent: checkAgent(p.positional[0]), json: p.flags.has('--json') };
    }
    if (sub === 'show') {
      const p = parseOptions(rest, { flags: ['--json'], values: [] });
      if (p.help) return { kind: 'help', text: DLQ_SHOW_USAGE };
      noExtra(p, 2);
      const agent = checkAgent(p.positional[0]);
      return { kind: 'dlq-show', agent, id: checkId(p.positional[1]), json: p.flags.has('--json') };
    }
    if (sub === 'redrive') return parseRedrive(rest);
    throw new UsageError(`unknown command "dlq ${sub}": dlq list, dlq show or dlq redrive`);
  }
  if (group === 'new') {
    if (isHelp(sub)) return { kind: 'help', text: NEW_USAGE };
    if (sub === 'agent') return parseNewAgent(rest);
    throw new UsageError(`unknown command "new ${sub}": new agent`);
  }
  if (group === 'replay') return parseReplay(argv.slice(1), nowMs);
  throw new UsageError(`unknown command "${group}": events tail, events trace, dlq list, dlq show, dlq redrive, replay or new agent`);
}

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A point in time: a duration back from `nowMs` (15m, 2h, 7d) or an ISO 8601 date or time. */
export function parseWhen(name: string, text: string, nowMs: number): number {
  const d = DURATION.exec(text);
  if (d) return nowMs - Number(d[1]) * UNIT_MS[d[2]];
  const t = ISO_TIME.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(t)) throw new UsageError(`${name} must be a duration back from now (90s, 15m, 2h, 7d) or a time (2026-03-02T09:00:00Z), got "${text}"`);
  return t;
}

const SHADOW = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}[.-]$/;

function parseReplay(args: readonly string[], nowMs: number): Command {
  const p = parseOptions(args, { flags: ['--shadow', '--dry-run', '--json'], values: ['--since', '--until', '--key', '--into', '--shadow-prefix', '--timeout'] });
  if (p.help) return { kind: 'help', text: REPLAY_USAGE };
  noExtra(p, 1);
  const topic = p.positional[0];
  if (topic === undefined) throw new UsageError(`missing <topic>: one of ${registryTopicNames().join(', ')}`);
  const since = single(p, '--since');
  if (since === undefined) throw new UsageError('missing --since <duration|time>: where the range starts');
  const into = single(p, '--into');
  if (into === undefined) throw new UsageError('missing --into <agent>: the agent to feed');
  const sinceMs = parseWhen('--since', since, nowMs);
  const until = single(p, '--until');
  const untilMs = until === undefined ? undefined : parseWhen('--until', until, nowMs);
  if (sinceMs > nowMs) throw new UsageError(`--since is in the future (${new Date(sinceMs).toISOString()})`);
  if (untilMs !== undefined && untilMs <= sinceMs) throw new UsageError(`--until (${new Date(untilMs).toISOString()}) must be after --since (${new Date(sinceMs).toISOString()})`);
  const named = single(p, '--shadow-prefix');
  if (named !== undefined && !SHADOW.test(named)) throw new UsageError(`--shadow-prefix must be letters, digits, '.', '_' or '-' ending in '.' or '-' (like "shadow."), got "${named}"`);
  const key = single(p, '--key');
  const timeout = single(p, '--timeout');
  const options: ReplayCliOptions = {
    topic: checkTopic(topic),
    agent: checkAgent(into),
    sinceMs,
    dryRun: p.flags.has('--dry-run'),
    json: p.flags.has('--json'),
    timeoutSeconds: timeout === undefined ? DEFAULT_REPLAY_TIMEOUT_SECONDS : parseSeconds('--timeout', timeout),
  };
  if (untilMs !== undefined) options.untilMs = untilMs;
  if (key !== undefined) options.key = checkId(key, '--key');
  if (named !== undefined || p.flags.has('--shadow')) options.shadowPrefix = named ?? DEFAULT_SHADOW_PREFIX;
  return { kind: 'replay', options };
}

function parseTail(args: readonly string[]): Command {
  const p = parseOptions(args, { flags: ['--from-beginning', '--json'], values: ['--type', '--max', '--timeout'] });
  if (p.help) return { kind: 'help', text: TAIL_USAGE };
  if (p.positional.length === 0) throw new UsageError(`missing <topic>: one or more of ${registryTopicNames().join(', ')}`);
  const max = single(p, '--max');
  const timeout = single(p, '--timeout');
  const options: TailOptions = {
    topics: [...new Set(p.positional.map(checkTopic))],
    fromBeginning: p.flags.has('--from-beginning'),
    types: p.values.get('--type') ?? [],
    json: p.flags.has('--json'),
  };
  if (max !== undefined) options.max = parseCount('--max', max);
  if (timeout !== undefined) options.timeoutSeconds = parseSeconds('--timeout', timeout);
  return { kind: 'events-tail', options };
}

function parseTrace(args: readonly string[]): Command {
  const p = parseOptions(args, { flags: ['--json'], values: ['--timeout'] });
  if (p.help) return { kind: 'help', text: TRACE_USAGE };
  noExtra(p, 1);
  const timeout = single(p, '--timeout');
  return {
    kind: 'events-trace',
    options: {
      id: checkId(p.positional[0], '<id> (a CloudEvent id or a provider delivery id)'),
      json: p.flags.has('--json'),
      timeoutSeconds: timeout === undefined ? DEFAULT_TRACE_TIMEOUT_SECONDS : parseSeconds('--timeout', timeout),
    },
  };
}

function parseRedrive(args: readonly string[]): Command {
  const p = parseOptions(args, { flags: ['--all', '--dry-run', '--json'], values: ['--id'] });
  if (p.help) return { kind: 'help', text: DLQ_REDRIVE_USAGE };
  const [agent, ...more] = p.positional;
  const checked = checkAgent(agent);
  const given = p.values.get('--id') ?? [];
  // Ids listed after --id (--id a b c) arrive as positionals; a positional without any --id is a mistake.
  if (more.length > 0 && given.length === 0) throw new UsageError(`unexpected argument "${more[0]}": name ids with --id <id>`);
  const ids = [...new Set([...given, ...more].map((id) => checkId(id, '--id')))];
  const all = p.flags.has('--all');
  if (all && ids.length > 0) throw new UsageError('--id and --all exclude each other');
  if (!all && ids.length === 0) throw new UsageError('name the events to redrive: --id <id>... or --all');
  return { kind: 'dlq-redrive', agent: checked, ids, all, dryRun: p.flags.has('--dry-run'), json: p.flags.has('--json') };
}

const AGENT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The name of an app to generate: kebab-case, starting with a letter (it becomes a class name). */
export function checkNewAgentName(name: string | undefined): string {
  if (name === undefined) throw new UsageError('missing <name>: the new agent\'s name, such as audit-agent');
  if (!AGENT_NAME.test(name) || name.length > 40) {
    throw new UsageError(`agent name must be lower-case kebab-case starting with a letter, at most 40 characters (like audit-agent), got "${name}"`);
  }
  return name;
}

/** An input topic of a generated agent: a registry topic (agents provision and subscribe to those). */
export function checkRegistryTopic(name: string): string {
  const known = registryTopicNames();
  if (known.includes(name)) return name;
  throw new UsageError(
    `"${name}" is not a registry topic (known: ${known.join(', ')}); a new topic is one entry in Topics and SPECS in libs/contracts/src/topics.ts, and its contract a class in libs/contracts/src with a line in registry.ts`,
  );
}

function parseNewAgent(args: readonly string[]): Command {
  const p = parseOptions(args, { flags: ['--dry-run'], values: ['--topics', '--port'] });
  if (p.help) return { kind: 'help', text: NEW_AGENT_USAGE };
  noExtra(p, 1);
  const name = checkNewAgentName(p.positional[0]);
  const listed = (p.values.get('--topics') ?? []).flatMap((v) => v.split(',')).map((t) => t.trim());
  if (listed.length === 0 || listed.some((t) => t === '')) throw new UsageError(`--topics needs one or more registry topics, comma-separated (${registryTopicNames().join(', ')})`);
  const topics = [...new Set(listed.map(checkRegistryTopic))];
  const port = single(p, '--port');
  let healthPort: number | undefined;
  if (port !== undefined) {
    healthPort = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(healthPort >= 1024 && healthPort <= 65535)) throw new UsageError(`--port must be a port number from 1024 to 65535, got "${port}"`);
  }
  return { kind: 'new-agent', name, topics, ...(healthPort !== undefined ? { port: healthPort } : {}), dryRun: p.flags.has('--dry-run') };
}
