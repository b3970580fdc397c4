'use strict';
/**
 * Preloaded into the agent processes of scenario 5 (`node --expose-gc -r bench/lib/gc-on-signal.js`):
 * SIGWINCH (ignored by Node and by Nest's shutdown hooks) runs a full garbage collection, so memory is
 * read after the restore's garbage is gone. Nothing else changes in the process.
 */
if (typeof global.gc === 'function') process.on('SIGWINCH', () => global.gc());
