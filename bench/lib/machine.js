'use strict';
/** What the figures were measured on. */
const os = require('node:os');
const { javaVersion } = require('./kafka');

function describeMachine(broker) {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: javaVersion(),
    kafka: broker.external ? broker.version : `Apache Kafka ${broker.version} (native, single node KRaft, 512 MB heap, 127.0.0.1:${broker.port})`,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

module.exports = { describeMachine };
