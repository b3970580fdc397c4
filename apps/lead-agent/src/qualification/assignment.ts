import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '@app/agent';

export interface Rep {
  name: string;
  email: string;
  territories: string[];
}

export const ROSTER = Symbol('ROSTER');

/** The sales roster, validated at start-up: every rep needs a name, an email and ISO country territories. */
export function loadRoster(file: string): Rep[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`LEAD_ROSTER_FILE ${file} cannot be read as YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const reps = (doc as { reps?: unknown } | null)?.reps;
  if (!Array.isArray(reps) || reps.length === 0) throw new ConfigError(`roster: reps must be a non-empty list (${file})`);
  return reps.map((r: unknown, i): Rep => {
    const o = (r ?? {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || !o.name) throw new ConfigError(`roster: reps[${i}].name must be a non-empty string`);
    if (typeof o.email !== 'string' || !o.email.includes('@')) throw new ConfigError(`roster: reps[${i}].email must be an email address`);
    const t = o.territories ?? [];
    if (!Array.isArray(t) || !t.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c))) {
      throw new ConfigError(`roster: reps[${i}].territories must be a list of ISO country codes like "DE"`);
    }
    return { name: o.name, email: o.email, territories: t as string[] };
  });
}

/**
 * The rep for a lead: its territory's rep when the country is known (round-robin among several), else
 * round-robin over everyone. `counter` is the round-robin position, kept in the agent's state.
 */
export function assignRep(roster: Rep[], country: string | undefined, counter: number): Rep {
  const local = country ? roster.filter((r) => r.territories.includes(country)) : [];
  const pool = local.length > 0 ? local : roster;
  return pool[counter % pool.length];
}
