'use strict';
/** Child process: one open-loop run (bench/lib/paced.js) against a local server; the result goes back over IPC. */
const { runPaced } = require('../lib/paced');
const { webhookFactory } = require('../lib/payload');

process.on('disconnect', () => process.exit(2));

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const factory = webhookFactory({ tag: cfg.tag, secret: process.env.WEBHOOK_SECRET_CRM });
  const result = await runPaced({ ...cfg, factory });
  process.send({ result }, () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
