import * as fs from 'node:fs';
import * as path from 'node:path';
import { contractFor, Topics } from '@app/contracts';
import { brokerSpecTs, controllerTs, mainTs, moduleTs, readmeMd, tsconfigAppJson, unitSpecTs, type AgentInput, type AgentModel } from './agent-templates';
import { UsageError } from './args';

/**
 * `hookline new agent`: the files of a runnable agent app and the edits that register it (nest-cli.json,
 * the start script, the boundaries table). Planning reads the repository and checks everything before a
 * single file is written, so a refused request leaves the tree as it was.
 */

export interface NewAgentOptions {
  name: string;
  /** Registry topics, already checked by the argument parser. */
  topics: string[];
  port?: number;
  dryRun: boolean;
}

export interface FileChange {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  action: 'create' | 'update';
  content: string;
  /** What an update changes, for the report. */
  note?: string;
}

export interface AgentPlan {
  model: AgentModel;
  changes: FileChange[];
}

/** Health ports of generated agents start here, above the built-in agents' 31xx ports. */
export const FIRST_GENERATED_PORT = 3110;
const RUN_AGENT = /runAgent\(\s*'([^']+)'\s*,\s*\w+\s*,\s*(\d+)/;
const BOUNDARIES = 'test/unit/architecture/boundaries.spec.ts';
const CONSUMERS_TABLE = /^const CONSUMERS\b.*= \[\n/m;

/** The repository checkout `from` is in: the nearest directory with nest-cli.json, package.json and libs/contracts. */
export function findRepoRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (['nest-cli.json', 'package.json', 'libs/contracts/src'].every((f) => fs.existsSync(path.join(dir, f)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const pascal = (text: string) =>
  text
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
const camel = (text: string) => text[0].toLowerCase() + text.slice(1);

export function agentInput(topic: string): AgentInput {
  const constant = Object.entries(Topics).find(([, value]) => value === topic)?.[0];
  if (constant === undefined) throw new UsageError(`topic "${topic}" is not in Topics (libs/contracts/src/topics.ts)`);
  const contract = contractFor(topic)?.name;
  return { topic, constant, method: `on${pascal(topic)}`, contract, param: contract ? camel(contract) : 'data' };
}

/** Health ports the apps' main.ts files pass to runAgent, by agent name. */
export function agentPorts(root: string): Map<string, number> {
  const ports = new Map<string, number>();
  const apps = path.join(root, 'apps');
  for (const app of fs.existsSync(apps) ? fs.readdirSync(apps) : []) {
    const main = path.join(apps, app, 'src', 'main.ts');
    const m = fs.existsSync(main) ? RUN_AGENT.exec(fs.readFileSync(main, 'utf8')) : null;
    if (m) ports.set(m[1], Number(m[2]));
  }
  return ports;
}

function readJson(root: string, file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`cannot read ${file} in ${root}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** nest-cli.json with the agent's project after the last application (libraries stay last). */
function nestCli(root: string, name: string): FileChange {
  const config = readJson(root, 'nest-cli.json');
  const projects = (config.projects ?? {}) as Record<string, { type?: string }>;
  const entries = Object.entries(projects);
  const lastApp = entries.map(([, p]) => p.type).lastIndexOf('application');
  const project = {
    type: 'application',
    root: `apps/${name}`,
    entryFile: 'main',
    sourceRoot: `apps/${name}/src`,
    compilerOptions: { tsConfigPath: `apps/${name}/tsconfig.app.json` },
  };
  entries.splice(lastApp + 1, 0, [name, project]);
  return { path: 'nest-cli.json', action: 'update', content: json({ ...config, projects: Object.fromEntries(entries) }), note: `project ${name}` };
}

/** package.json with `start:<name>` after the other start scripts. */
function packageJson(root: string, name: string): FileChange {
  const pkg = readJson(root, 'package.json');
  const scripts = Object.entries((pkg.scripts ?? {}) as Record<string, string>);
  const lastStart = scripts.map(([k]) => k.startsWith('start:')).lastIndexOf(true);
  scripts.splice(lastStart + 1, 0, [`start:${name}`, `node dist/apps/${name}/src/main.js`]);
  return { path: 'package.json', action: 'update', content: json({ ...pkg, scripts: Object.fromEntries(scripts) }), note: `script start:${name}` };
}

/** The boundaries table with the agent's row: it may import @app/agent and @app/contracts, like every agent. */
function boundaries(root: string, name: string): FileChange | undefined {
  const file = path.join(root, BOUNDARIES);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const m = CONSUMERS_TABLE.exec(text);
  if (!m) return undefined;
  const at = m.index + m[0].length;
  const content = `${text.slice(0, at)}  ['apps/${name}', ['agent', 'contracts']],\n${text.slice(at)}`;
  return { path: BOUNDARIES, action: 'update', content, note: `apps/${name} may import @app/agent and @app/contracts` };
}

/** Checks the request against the repository and returns every file to write; writes nothing. */
export function planAgent(root: string, options: NewAgentOptions): AgentPlan {
  const { name } = options;
  const projects = (readJson(root, 'nest-cli.json').projects ?? {}) as Record<string, unknown>;
  if (fs.existsSync(path.join(root, 'apps', name)) || name in projects) {
    throw new UsageError(`an app or library named "${name}" exists already (apps/${name} or nest-cli.json): choose another name`);
  }
  const ports = agentPorts(root);
  const taken = new Map([...ports].map(([agent, port]) => [port, agent]));
  let healthPort = options.port;
  if (healthPort === undefined) {
    healthPort = FIRST_GENERATED_PORT;
    while (taken.has(healthPort)) healthPort++;
  } else if (taken.has(healthPort)) {
    throw new UsageError(`--port ${healthPort} is the health port of ${taken.get(healthPort)}: choose another`);
  }
  const model: AgentModel = { name, className: pascal(name), healthPort, inputs: options.topics.map(agentInput) };
  const created: Array<[string, string]> = [
    [`apps/${name}/tsconfig.app.json`, tsconfigAppJson(model)],
    [`apps/${name}/README.md`, readmeMd(model)],
    [`apps/${name}/src/main.ts`, mainTs(model)],
    [`apps/${name}/src/${name}.module.ts`, moduleTs(model)],
    [`apps/${name}/src/${name}.controller.ts`, controllerTs(model)],
    [`test/unit/agents/${name}.spec.ts`, unitSpecTs(model)],
    [`test/integration/${name}.int-spec.ts`, brokerSpecTs(model)],
  ];
  for (const [file] of created) {
    if (fs.existsSync(path.join(root, file))) throw new UsageError(`${file} exists already: choose another name`);
  }
  const updates = [nestCli(root, name), packageJson(root, name), boundaries(root, name)].filter((c): c is FileChange => c !== undefined);
  return { model, changes: [...created.map(([file, content]): FileChange => ({ path: file, action: 'create', content })), ...updates] };
}

/** Writes a plan: created files first (never over an existing one), then the updates. */
export function writePlan(root: string, plan: AgentPlan): void {
  for (const change of plan.changes) {
    const file = path.join(root, change.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, change.content, { flag: change.action === 'create' ? 'wx' : 'w' });
  }
}

/** The report: one line per file, then how to run what was generated. */
export function planText(plan: AgentPlan, dryRun: boolean): string[] {
  const { name, healthPort } = plan.model;
  const verb = (c: FileChange) => (dryRun ? `would ${c.action}` : c.action === 'create' ? 'created' : 'updated');
  const lines = plan.changes.map((c) => `${verb(c).padEnd(dryRun ? 14 : 7)}  ${c.path}${c.note ? `  (${c.note})` : ''}`);
  if (dryRun) return [...lines, `dry run: nothing written (${plan.changes.length} files)`];
  return [
    ...lines,
    '',
    `${name}: reads ${plan.model.inputs.map((i) => i.topic).join(', ')}; /health and /metrics on HEALTH_PORT ${healthPort}`,
    'next:',
    `  npm run test:unit -- --testPathPatterns ${name}`,
    `  npm run test:integration -- --testPathPatterns ${name}`,
    `  npm run build && npm run start:${name}        (or STACK_APPS=ingress,${name} npm run stack)`,
    `  then give it its job in apps/${name}/src/${name}.controller.ts, and add it to docker-compose.yml and the README's ports`,
  ];
}
