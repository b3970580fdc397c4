import { isProvider, PROVIDERS, providerSpec, type ProviderName } from './providers';

export interface SendOptions {
  provider: ProviderName;
  event: string;
  file?: string;
  count: number;
  duplicate: boolean;
  badSignature: boolean;
  stale: boolean;
  url: string;
}

export type Command = { kind: 'help' } | { kind: 'send'; options: SendOptions };

/** A mistake in the command line: the message says what and how to fix it. */
export class UsageError extends Error {}

const MAX_COUNT = 1000;

export const USAGE = `usage: npm run webhook -- send <provider> <event> [options]

  providers and events:
${Object.entries(PROVIDERS)
  .map(([name, spec]) => `    ${name.padEnd(10)} ${Object.keys(spec.samples).join(', ')}`)
  .join('\n')}

  --file <payload.json>  send this JSON instead of the sample (any <event> name is then accepted)
  --count <N>            send N distinct events (1-${MAX_COUNT}), ids suffixed -1..-N
  --duplicate            send each event twice with the same id (a provider retry)
  --bad-signature        corrupt the signature (expect 401)
  --stale                sign with a timestamp 10 minutes old (expect 401; schemes with a timestamp only)
  --url <base>           ingress base URL (default http://127.0.0.1:3000)

  The secret comes from WEBHOOK_SECRET_<PROVIDER> (the first of a comma-separated list).`;

const EVENT_NAME = /^[\x21-\x7e]{1,200}$/;

export function parseArgs(argv: readonly string[]): Command {
  const args = [...argv];
  const command = args.shift();
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { kind: 'help' };
  if (command !== 'send') throw new UsageError(`unknown command "${command}": the only command is "send"`);
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };

  const positional: string[] = [];
  const options: Omit<SendOptions, 'provider' | 'event'> = { count: 1, duplicate: false, badSignature: false, stale: false, url: 'http://127.0.0.1:3000' };
  while (args.length > 0) {
    const arg = args.shift() as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = splitOption(arg);
    const value = (): string => {
      const v = inline ?? args.shift();
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--file') options.file = value();
    else if (name === '--count') options.count = parseCount(value());
    else if (name === '--url') options.url = parseUrl(value());
    else if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    else if (name === '--duplicate') options.duplicate = true;
    else if (name === '--bad-signature') options.badSignature = true;
    else if (name === '--stale') options.stale = true;
    else throw new UsageError(`unknown option "${name}"`);
  }
  const [provider, event, ...extra] = positional;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return { kind: 'send', options: { ...options, provider: checkProvider(provider), event: checkEvent(provider, event, options.file) } };
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function checkProvider(provider: string | undefined): ProviderName {
  const known = Object.keys(PROVIDERS).join(', ');
  if (provider === undefined) throw new UsageError(`missing <provider>: one of ${known}`);
  if (!isProvider(provider)) throw new UsageError(`unknown provider "${provider}" (known: ${known})`);
  return provider;
}

function checkEvent(provider: string | undefined, event: string | undefined, file: string | undefined): string {
  const known = Object.keys(providerSpec(checkProvider(provider)).samples).join(', ');
  if (event === undefined) throw new UsageError(`missing <event> for ${provider} (known: ${known})`);
  if (!EVENT_NAME.test(event)) throw new UsageError(`event "${event}" must be 1-200 printable characters without spaces`);
  if (file === undefined && !Object.hasOwn(providerSpec(checkProvider(provider)).samples, event)) {
    throw new UsageError(`unknown event "${event}" for ${provider} (known: ${known}); use --file to send another payload`);
  }
  return event;
}

function parseCount(text: string): number {
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_COUNT)) throw new UsageError(`--count must be a whole number from 1 to ${MAX_COUNT}, got "${text}"`);
  return n;
}

function parseUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--url must be an http(s) base URL such as http://127.0.0.1:3000, got "${text}"`);
  }
  return text.replace(/\/+$/, '');
}
