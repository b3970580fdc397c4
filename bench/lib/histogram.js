'use strict';
/**
 * A small HDR-like histogram of latencies in microseconds: exact below 256 µs, then 128 sub-buckets per
 * power of two (relative error under 0.8%). Mergeable and serialisable, so child processes can send theirs
 * over IPC. Percentiles report a bucket's upper bound (never flatter than the truth); min/max are exact.
 */
const SUB_BITS = 8;
const SUB = 1 << SUB_BITS; // 256
const HALF = SUB >> 1; // 128

function indexOf(v) {
  if (v < SUB) return v;
  const m = 31 - Math.clz32(v); // >= SUB_BITS
  const shift = m - (SUB_BITS - 1);
  return SUB + (m - SUB_BITS) * HALF + ((v >>> shift) - HALF);
}

function upperBound(i) {
  if (i < SUB) return i;
  const m = Math.floor((i - SUB) / HALF) + SUB_BITS;
  const shift = m - (SUB_BITS - 1);
  const top = ((i - SUB) % HALF) + HALF;
  return ((top + 1) << shift) - 1;
}

class Histogram {
  constructor() {
    this.counts = new Map();
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  /** Records one value in microseconds (clamped to 0 .. ~35 minutes). */
  record(us) {
    const v = Math.max(0, Math.min(2 ** 31 - 1, Math.round(us)));
    const i = indexOf(v);
    this.counts.set(i, (this.counts.get(i) || 0) + 1);
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  recordMs(ms) {
    this.record(ms * 1000);
  }

  merge(other) {
    for (const [i, n] of other.counts) this.counts.set(i, (this.counts.get(i) || 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** Value (µs) at percentile p (0..100). */
  percentile(p) {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const i of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(i);
      if (seen >= rank) return Math.min(upperBound(i), this.max);
    }
    return this.max;
  }

  /** Percentiles in milliseconds, rounded to 0.01 ms. */
  summaryMs() {
    const ms = (us) => (Number.isFinite(us) ? Math.round(us / 10) / 100 : null);
    return {
      count: this.count,
      min: ms(this.count ? this.min : NaN),
      mean: ms(this.count ? this.sum / this.count : NaN),
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      p999: ms(this.percentile(99.9)),
      max: ms(this.count ? this.max : NaN),
    };
  }

  toJSON() {
    return { counts: [...this.counts], count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  static fromJSON(o) {
    const h = new Histogram();
    h.counts = new Map(o.counts);
    h.count = o.count;
    h.sum = o.sum;
    h.min = o.min === null ? Infinity : o.min;
    h.max = o.max;
    return h;
  }
}

module.exports = { Histogram, _internal: { indexOf, upperBound } };
