import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { topicSpecs } from '@app/contracts';
import { NEW_AGENT_USAGE, NEW_USAGE, parseArgs, UsageError } from '../../../tools/hookline/args';
import { main } from '../../../tools/hookline/cli';
import { planAgent, writePlan } from '../../../tools/hookline/new-agent';
import { removeScratch, ROOT, scratchRepo, scratchTsconfig } from '../../support/scratch-repo';

const REGISTRY = topicSpecs().map((t) => t.name);

async function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { env: {}, cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

/** Every file under dir with its content, to show that a refused or dry run wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .map((f) => [path.relative(dir, f), fs.readFileSync(f, 'utf8')]),
  );
}

describe('hookline new agent: arguments', () => {
  it.each([
    [['new'], NEW_USAGE],
    [['new', '--help'], NEW_USAGE],
    [['new', 'agent', '--help'], NEW_AGENT_USAGE],
    [['new', 'agent', 'x-agent', '--topics', 'leads.created', '-h'], NEW_AGENT_USAGE],
  ])('shows help for %j', (argv, text) => {
    expect(parseArgs(argv)).toEqual({ kind: 'help', text });
  });

  it.each([
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created'], { kind: 'new-agent', name: 'audit-agent', topics: ['leads.created'], dryRun: false }],
    [
      ['new', 'agent', 'audit2', '--topics', 'leads.created, orders.placed', '--topics=leads.created', '--port', '3120', '--dry-run'],
      { kind: 'new-agent', name: 'audit2', topics: ['leads.created', 'orders.placed'], port: 3120, dryRun: true },
    ],
  ])('parses %j', (argv, command) => {
    expect(parseArgs(argv)).toEqual(command);
  });

  it.each([
    [['new', 'agent'], 'missing <name>'],
    [['new', 'agent', 'Audit', '--topics', 'leads.created'], 'lower-case kebab-case starting with a letter, at most 40 characters (like audit-agent), got "Audit"'],
    [['new', 'agent', '1-agent', '--topics', 'leads.created'], 'got "1-agent"'],
    [['new', 'agent', 'audit_agent', '--topics', 'leads.created'], 'got "audit_agent"'],
    [['new', 'agent', 'audit--agent', '--topics', 'leads.created'], 'got "audit--agent"'],
    [['new', 'agent', 'audit-', '--topics', 'leads.created'], 'got "audit-"'],
    [['new', 'agent', `a${'-b'.repeat(20)}`, '--topics', 'leads.created'], 'at most 40 characters'],
    [['new', 'agent', 'audit-agent'], '--topics needs one or more registry topics'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created,'], '--topics needs one or more registry topics'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.create'], '"leads.create" is not a registry topic (known: leads.created, '],
    [['new', 'agent', 'audit-agent', '--topics', 'lead-agent.dlq'], 'a new topic is one entry in Topics and SPECS in libs/contracts/src/topics.ts'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--port', '80'], '--port must be a port number from 1024 to 65535, got "80"'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--port', '70000'], 'got "70000"'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--port', '31o1'], 'got "31o1"'],
    [['new', 'agent', 'audit-agent', 'extra', '--topics', 'leads.created'], 'unexpected argument "extra"'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--force'], 'unknown option "--force"'],
    [['new', 'service', 'x'], 'unknown command "new service": new agent'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('hookline new agent: in a checkout', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = scratchRepo();
  });
  afterEach(() => removeScratch(scratch));

  it('--dry-run lists the files and writes none', async () => {
    const before = snapshot(scratch);
    const r = await run(['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--dry-run'], path.join(scratch, 'apps'));
    expect(r).toEqual({
      code: 0,
      err: '',
      out: [
        'would create    apps/audit-agent/tsconfig.app.json',
        'would create    apps/audit-agent/README.md',
        'would create    apps/audit-agent/src/main.ts',
        'would create    apps/audit-agent/src/audit-agent.module.ts',
        'would create    apps/audit-agent/src/audit-agent.controller.ts',
        'would create    test/unit/agents/audit-agent.spec.ts',
        'would create    test/integration/audit-agent.int-spec.ts',
        'would update    nest-cli.json  (project audit-agent)',
        'would update    package.json  (script start:audit-agent)',
        'would update    test/unit/architecture/boundaries.spec.ts  (apps/audit-agent may import @app/agent and @app/contracts)',
        'dry run: nothing written (10 files)',
      ],
    });
    expect(snapshot(scratch)).toEqual(before);
  });

  it('registers the agent: nest-cli.json project after the apps, start script, boundaries row, the first free health port', async () => {
    const r = await run(['new', 'agent', 'audit-agent', '--topics', 'leads.created'], scratch);
    expect(r.code).toBe(0);
    expect(r.out).toContain('audit-agent: reads leads.created; /health and /metrics on HEALTH_PORT 3110');
    const nest = JSON.parse(fs.readFileSync(path.join(scratch, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { type: string; root: string }> };
    const names = Object.keys(nest.projects);
    expect(nest.projects['audit-agent']).toMatchObject({ type: 'application', root: 'apps/audit-agent' });
    expect(names.indexOf('audit-agent')).toBe(Object.values(nest.projects).filter((p) => p.type === 'application').length - 1);
    const pkg = JSON.parse(fs.readFileSync(path.join(scratch, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start:audit-agent']).toBe('node dist/apps/audit-agent/src/main.js');
    expect(fs.readFileSync(path.join(scratch, 'test/unit/architecture/boundaries.spec.ts'), 'utf8')).toContain("  ['apps/audit-agent', ['agent', 'contracts']],\n");
    expect(fs.readFileSync(path.join(scratch, 'apps/audit-agent/src/main.ts'), 'utf8')).toContain("runAgent('audit-agent', AuditAgentModule, 3110);");

    const second = await run(['new', 'agent', 'billing-agent', '--topics', 'orders.placed'], scratch);
    expect(second.out).toContain('billing-agent: reads orders.placed; /health and /metrics on HEALTH_PORT 3111');
  });

  it.each([
    [['new', 'agent', 'lead-agent', '--topics', 'leads.created'], 'an app or library named "lead-agent" exists already'],
    [['new', 'agent', 'contracts', '--topics', 'leads.created'], 'an app or library named "contracts" exists already'],
    [['new', 'agent', 'audit-agent', '--topics', 'leads.created', '--port', '3101'], '--port 3101 is the health port of lead-agent'],
    [['new', 'agent', 'Audit', '--topics', 'leads.created'], 'lower-case kebab-case'],
  ])('refuses %j with exit 2 and writes nothing', async (argv, message) => {
    const before = snapshot(scratch);
    const r = await run(argv, scratch);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toEqual([]);
    expect(snapshot(scratch)).toEqual(before);
  });

  it('refuses a name generated once already, and works only in a checkout', async () => {
    expect((await run(['new', 'agent', 'audit-agent', '--topics', 'leads.created'], scratch)).code).toBe(0);
    const again = await run(['new', 'agent', 'audit-agent', '--topics', 'orders.placed'], scratch);
    expect(again.code).toBe(2);
    expect(again.err).toContain('"audit-agent" exists already');
    const outside = await run(['new', 'agent', 'audit-agent', '--topics', 'leads.created'], os.tmpdir());
    expect(outside).toEqual({ code: 2, out: [], err: expect.stringContaining('new agent works in a hookline repository checkout') as string });
  });
});

/**
 * An agent generated for every registry topic, checked the way the repository checks its own code: the
 * native type check, eslint with the repository's rules, and the unit test it was generated with, run here.
 * (Its broker test runs in test/integration/new-agent.int-spec.ts.)
 */
describe('an agent generated for every registry topic, as generated', () => {
  const NAME = 'gen-check-agent';
  const scratch = scratchRepo();
  writePlan(scratch, planAgent(scratch, { name: NAME, topics: REGISTRY, dryRun: false }));
  const files = [`apps/${NAME}/src/main.ts`, `apps/${NAME}/src/${NAME}.module.ts`, `apps/${NAME}/src/${NAME}.controller.ts`, `test/unit/agents/${NAME}.spec.ts`, `test/integration/${NAME}.int-spec.ts`];
  scratchTsconfig(scratch, files);
  afterAll(() => removeScratch(scratch));

  it('type-checks with the repository settings (native tsc)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript-native/bin/tsc'), '-p', path.join(scratch, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('passes eslint with the repository rules', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--no-ignore', '--max-warnings', '0', ...files.map((f) => path.join(scratch, f))], { cwd: ROOT, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  describe('its own unit test', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(scratch, 'test', 'unit', 'agents', `${NAME}.spec.ts`));
  });
});
