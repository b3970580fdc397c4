import type { HeaderValue, Headers } from './signatures';

/**
 * The request's headers as the client sent them: a header sent more than once keeps every value (an
 * array), where Node's parsed headers join repeats with ", " or keep only the first. Verification must see
 * the repeat to refuse it: a joined "sig, sig" would parse as a list of signatures, and a second
 * Content-Type would pass unseen. `rawHeaders` is Node's flat [name, value, name, value, ...] list.
 */
export function headersAsSent(rawHeaders: readonly string[], parsed: Headers): Headers {
  // Every name sent is a key of the parsed headers: as many keys as names sent means none was repeated.
  let keys = 0;
  for (const k in parsed) if (Object.hasOwn(parsed, k)) keys++;
  if (keys * 2 === rawHeaders.length) return parsed;
  const counts = new Map<string, number>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const repeated = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
  if (repeated.length === 0) return parsed;
  const out: Record<string, HeaderValue> = { ...parsed };
  for (const name of repeated) {
    const values: string[] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1] ?? '');
    out[name] = values;
  }
  return out;
}
