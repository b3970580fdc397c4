import { createVerifier, secretEnvName } from '@app/webhooks';
import { parseArgs, UsageError, USAGE } from './args';
import { loadPayload } from './payload';
import { providerSpec } from './providers';
import { planRequests } from './requests';
import { sendAll, type Fetch } from './send';

export interface Io {
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative --file paths start: npm runs scripts from the package root and passes the caller's directory as INIT_CWD. */
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  fetch?: Fetch;
  now?: () => number;
}

/** Exit codes: 0 every answer as expected, 1 some answer not (or unreachable), 2 bad usage or configuration. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const command = parseArgs(argv);
    if (command.kind === 'help') {
      io.out(USAGE);
      return 0;
    }
    const { options } = command;
    const variable = secretEnvName(options.provider);
    // Never printed: only the variable's name appears in messages.
    const secret = (io.env[variable] ?? '').split(',')[0].trim();
    if (secret === '') {
      io.err(`${variable} is not set: export the ${options.provider} signing secret (the value the ingress is configured with)`);
      return 2;
    }
    try {
      createVerifier(providerSpec(options.provider).scheme, [secret]);
    } catch (e) {
      // The library names a bad secret by position only, never by value.
      io.err(`${variable}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    const plan = planRequests(options, loadPayload(options, io.cwd), secret, (io.now ?? Date.now)());
    for (const note of plan.notes) io.out(`note: ${note}`);
    return (await sendAll(plan, io.out, io.fetch)) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`error: ${e.message}\n(npm run webhook -- --help for usage)`);
    return 2;
  }
}

export function runCli(argv: readonly string[] = process.argv.slice(2)): void {
  const io: Io = {
    env: process.env,
    cwd: process.env.INIT_CWD ?? process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`webhook: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runCli();
