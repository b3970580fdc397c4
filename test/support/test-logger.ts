import { appendFileSync } from 'node:fs';
import { JsonLogger } from '@app/common';

/**
 * The logger of an app a test runs in its own process. Level: TEST_LOG_LEVEL (default error). With
 * TEST_LOG_FILE set, lines are appended to that file (synchronously) instead of stdout, which jest's
 * reporter buffers and may cut short when a suite fails: the file keeps every line up to the failure.
 */
export function testLogger(service: string, quiet = false): JsonLogger {
  const level = (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'error';
  const file = process.env.TEST_LOG_FILE;
  if (quiet && !file) return new JsonLogger(service, level, () => undefined);
  return new JsonLogger(service, level, file ? (line) => appendFileSync(file, line + '\n') : undefined);
}
