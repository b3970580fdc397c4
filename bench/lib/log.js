'use strict';
/** Progress lines on stderr, with the time since the run started. */
const t0 = Date.now();

function log(msg) {
  process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { log, sleep };
