import { ConfigError, EnvReader } from '@app/common';

export interface AgentEndpoint {
  name: string;
  /** Base URL of the agent's health server; /health is read under it. */
  healthUrl: string;
}

export interface ConsoleConfig {
  port: number;
  host: string;
  /** Agents the console shows, with their health server; agents with a dead-letter topic are shown too. */
  agents: AgentEndpoint[];
  /** How many of the last offsets of each partition the events page reads and searches. */
  recentOffsets: number;
  /** How long one read of Kafka may take before the page says it is partial. */
  readTimeoutMs: number;
  /** How long an agent's /health may take to answer. */
  healthTimeoutMs: number;
}

/** The agents of `npm run stack` and their health ports. */
export const DEFAULT_AGENTS = 'lead-agent=http://127.0.0.1:3101,fulfillment-agent=http://127.0.0.1:3102,mailer=http://127.0.0.1:3103,invoicer=http://127.0.0.1:3104';

const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** `name=url,...`: each name kebab-case and given once, each URL http(s). */
export function parseAgents(value: string, variable = 'CONSOLE_AGENTS'): AgentEndpoint[] {
  const seen = new Set<string>();
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((entry) => {
      const at = entry.indexOf('=');
      const name = at < 0 ? entry : entry.slice(0, at).trim();
      const url = at < 0 ? '' : entry.slice(at + 1).trim();
      if (!AGENT_NAME.test(name)) throw new ConfigError(`${variable}: agent name must be lower-case kebab-case, got "${name}"`);
      if (seen.has(name)) throw new ConfigError(`${variable}: agent ${name} is listed twice`);
      seen.add(name);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new ConfigError(`${variable}: ${name} needs its health URL as ${name}=http://host:port, got "${url}"`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${variable}: ${name}'s health URL must be http or https, got "${url}"`);
      return { name, healthUrl: parsed.toString().replace(/\/+$/, '') };
    });
}

/** Reads and checks every console setting at start-up; a bad value stops the process with its name. */
export function consoleConfigFromEnv(env = new EnvReader()): ConsoleConfig {
  return {
    port: env.port('PORT', 3300),
    host: env.string('HOST', '0.0.0.0'),
    agents: parseAgents(env.string('CONSOLE_AGENTS', DEFAULT_AGENTS)),
    recentOffsets: env.int('CONSOLE_RECENT_OFFSETS', 500, { min: 1, max: 100_000 }),
    readTimeoutMs: env.int('CONSOLE_READ_TIMEOUT_MS', 20_000, { min: 1000, max: 300_000 }),
    healthTimeoutMs: env.int('CONSOLE_HEALTH_TIMEOUT_MS', 2000, { min: 100, max: 30_000 }),
  };
}
