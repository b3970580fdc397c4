/**
 * The library split, checked: which library may import which, entry points only, no import cycles.
 * An agent depends on the runtime and the contracts; the ingress never loads agent runtime code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** Library → the libraries it may import (through their `@app/<lib>` entry point). */
const LIBRARY_DEPENDENCIES: Record<string, string[]> = {
  common: [],
  contracts: [],
  kafka: ['common', 'contracts'],
  webhooks: ['common', 'contracts', 'kafka'],
  agent: ['common', 'contracts', 'kafka'],
};

/** Code outside libs/ → the libraries it may import directly. */
const CONSUMERS: Array<[string, string[]]> = [
  ['apps/ingress', ['common', 'contracts', 'kafka', 'webhooks']],
  ['apps/lead-agent', ['agent', 'contracts']],
  ['apps/fulfillment-agent', ['agent', 'contracts']],
  ['examples/welcome-agent', ['agent', 'contracts']],
  ['apps/carrier-simulator', ['common', 'contracts', 'webhooks']],
  ['apps/mailer', ['agent', 'contracts']],
  ['apps/invoicer', ['agent', 'contracts']],
  ['apps/billing-simulator', ['common', 'contracts']],
  ['tools/webhook', ['common', 'contracts', 'webhooks']],
  ['tools/hookline', ['common', 'contracts', 'kafka', 'agent']],
  ['apps/console', ['common', 'contracts', 'kafka', 'agent']],
  ['tools/api-docs', ['common', 'contracts', 'webhooks']],
];

interface SourceFile {
  file: string;
  specs: string[];
}

function sources(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        const specs = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'([^']+)'|import\s+'([^']+)'|require\('([^']+)'\)/g)].map(
          (m) => m[1] ?? m[2] ?? m[3],
        );
        out.push({ file: path.relative(ROOT, p), specs });
      }
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

const libsOf = (specs: string[]) => specs.filter((s) => s.startsWith('@app/')).map((s) => s.slice('@app/'.length));

function resolveRelative(from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(path.join(ROOT, from)), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(c)) return path.relative(ROOT, c);
  return undefined;
}

describe('library boundaries', () => {
  it.each(Object.entries(LIBRARY_DEPENDENCIES))('libs/%s imports only %j', (lib, allowed) => {
    const offending = sources(`libs/${lib}/src`).flatMap((s) =>
      libsOf(s.specs)
        .filter((l) => !allowed.includes(l))
        .map((l) => `${s.file} imports @app/${l}`),
    );
    expect(offending).toEqual([]);
  });

  it.each(CONSUMERS)('%s imports only %j', (dir, allowed) => {
    const offending = sources(dir).flatMap((s) =>
      libsOf(s.specs)
        .filter((l) => !allowed.includes(l))
        .map((l) => `${s.file} imports @app/${l}`),
    );
    expect(offending).toEqual([]);
  });

  it('the ingress loads no agent runtime code, not even through another library', () => {
    const reach = new Set<string>();
    const visit = (lib: string) => {
      if (reach.has(lib)) return;
      reach.add(lib);
      for (const d of LIBRARY_DEPENDENCIES[lib] ?? []) visit(d);
    };
    for (const l of new Set(sources('apps/ingress').flatMap((s) => libsOf(s.specs)))) visit(l);
    expect([...reach]).not.toContain('agent');
  });

  it('library dependencies form no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (lib: string, trail: string[]): boolean => {
      if (state.get(lib) === 'done') return false;
      if (state.get(lib) === 'open') return cycle.push(...trail, lib) > 0;
      state.set(lib, 'open');
      const found = (LIBRARY_DEPENDENCIES[lib] ?? []).some((d) => visit(d, [...trail, lib]));
      state.set(lib, 'done');
      return found;
    };
    for (const lib of Object.keys(LIBRARY_DEPENDENCIES)) visit(lib, []);
    expect(cycle).toEqual([]);
  });

  it.each(['libs', 'apps', 'tools', 'examples'])('code under %s imports libraries through their entry point only', (dir) => {
    const deep = sources(dir).flatMap((s) =>
      s.specs.filter((spec) => /^@app\/[^/]+\//.test(spec) || /(^|\/)libs\/[^/]+\/src/.test(spec)).map((spec) => `${s.file}: ${spec}`),
    );
    expect(deep).toEqual([]);
  });

  it.each(Object.keys(LIBRARY_DEPENDENCIES))('relative imports of libs/%s stay inside it and form no cycle', (lib) => {
    const files = sources(`libs/${lib}/src`);
    const graph = new Map<string, string[]>();
    const escaping: string[] = [];
    for (const s of files) {
      const targets: string[] = [];
      for (const spec of s.specs.filter((x) => x.startsWith('.'))) {
        const t = resolveRelative(s.file, spec);
        if (!t || !t.startsWith(`libs/${lib}/src/`)) escaping.push(`${s.file}: ${spec}`);
        else targets.push(t);
      }
      graph.set(s.file, targets);
    }
    expect(escaping).toEqual([]);
    // Type-only imports cannot cause a load-order cycle, but a value cycle between modules can: report both.
    const done = new Set<string>();
    const open = new Set<string>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (done.has(f)) return;
      if (open.has(f)) {
        cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
        return;
      }
      open.add(f);
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f]);
      open.delete(f);
      done.add(f);
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
