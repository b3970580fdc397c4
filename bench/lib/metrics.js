'use strict';
/** Reads a process's Prometheus /metrics (the apps' own prom-client registry). */
const http = require('node:http');

function fetchMetrics(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Sum of every sample of `name` (all label sets), or null when absent. */
function value(text, name) {
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm');
  let sum = null;
  for (const m of text.matchAll(re)) sum = (sum || 0) + Number(m[1]);
  return sum;
}

/** Mean of a histogram (sum / count) and its count. */
function histogramMean(text, name) {
  const sum = value(text, `${name}_sum`);
  const count = value(text, `${name}_count`);
  return { count, mean: count ? sum / count : null };
}

module.exports = { fetchMetrics, value, histogramMean };
