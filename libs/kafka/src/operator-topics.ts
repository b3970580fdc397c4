import { topicSpecs } from '@app/contracts';

/**
 * Which topics on a cluster hold hookline events, from the physical names a listTopics answered: what the
 * operator tools (the hookline CLI, the console) read. Pure, so unit tests drive it with name lists.
 */
const PROVIDER_TOPIC = /^webhooks\.[a-z0-9][a-z0-9-]*$/;
const DEAD_LETTER_TOPIC = /^[a-z0-9][a-z0-9-]*\.dlq$/;

/** The logical name of a physical topic under `prefix`; undefined for a topic outside the prefix. */
export function logicalName(prefix: string, physical: string): string | undefined {
  return physical.startsWith(prefix) ? physical.slice(prefix.length) : undefined;
}

function logicalNames(prefix: string, physical: readonly string[]): string[] {
  return physical.map((t) => logicalName(prefix, t)).filter((t): t is string => t !== undefined);
}

/** Agents with a dead-letter topic (`<agent>.dlq`) under the prefix, sorted. */
export function agentsWithDeadLetters(prefix: string, physical: readonly string[]): string[] {
  return logicalNames(prefix, physical)
    .filter((t) => DEAD_LETTER_TOPIC.test(t))
    .map((t) => t.slice(0, -'.dlq'.length))
    .sort();
}

/**
 * The event topics under the prefix, sorted: the registry's, `webhooks.<provider>` ones and, with
 * `deadLetters`, the agents' dead-letter topics (a trace follows an event into them).
 */
export function eventTopics(prefix: string, physical: readonly string[], { deadLetters = true } = {}): string[] {
  const registry = new Set(topicSpecs().map((t) => t.name));
  return logicalNames(prefix, physical)
    .filter((t) => registry.has(t) || PROVIDER_TOPIC.test(t) || (deadLetters && DEAD_LETTER_TOPIC.test(t)))
    .sort();
}
