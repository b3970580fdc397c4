/**
 * The memory tests force full collections. `npm test` runs jest under --expose-gc; a bare `npx jest` does
 * not, so expose it here rather than let those tests be skipped or approximated.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const g = globalThis as { gc?: () => void };
if (typeof g.gc !== 'function') {
  setFlagsFromString('--expose-gc');
  g.gc = runInNewContext('gc') as () => void;
}
