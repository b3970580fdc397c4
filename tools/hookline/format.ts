import type { DeadLetter, RedriveReport, ReplayReport } from '@app/agent';
import { eventTime, headersAsStrings, printable, shorten, type EventRecord, type Trace, type TraceNode, type TraceRecord } from '@app/kafka';

/** Everything the CLI prints, as pure functions of what it read: checked by table-driven unit tests. */

const dash = (v: string | undefined) => (v === undefined || v === '' ? '-' : printable(v));

/** `events tail`: one line per record. */
export function tailLine(r: EventRecord): string {
  const place = `${r.topic}/${r.partition}/${r.offset}`;
  const fields = [
    dash(eventTime(r)),
    place,
    dash(r.type),
    `id=${dash(r.id)}`,
    `subject=${dash(r.subject)}`,
    `key=${dash(r.key === undefined ? undefined : shorten(r.key, 60))}`,
    `cause=${dash(r.causationId)}`,
  ];
  if (r.notCloudEvent) fields.push(`(not a CloudEvent: ${printable(r.notCloudEvent)})`);
  fields.push(r.preview);
  return fields.join('  ');
}

/** `events tail --json`: one JSON object per record. */
export function tailJson(r: EventRecord): string {
  return JSON.stringify({
    time: r.time ?? null,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key ?? null,
    id: r.id ?? null,
    type: r.type ?? null,
    source: r.source ?? null,
    subject: r.subject ?? null,
    causationid: r.causationId ?? null,
    extensions: r.extensions,
    ...(r.notCloudEvent ? { notCloudEvent: r.notCloudEvent } : {}),
    ...(r.deadLetter ? { deadLetter: r.deadLetter } : {}),
    data: r.data ?? null,
  });
}

/** A delay, short: 840 ms, 1.52 s, 3m05s, 2h04m; negative when the clocks of two writers disagree. */
export function formatDelay(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(2)} s`;
  const s = Math.round(a / 1000);
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${sign}${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function recordPlace(r: TraceRecord): string {
  return `${r.topic} ${r.partition}/${r.offset}`;
}

function deadLetterNote(r: TraceRecord): string {
  const d = r.deadLetter;
  if (!d) return '';
  const error = d.error ? `: ${shorten(printable(d.error), 80)}` : '';
  return `dead-lettered by ${printable(d.agent)} ${dash(d.time)}: ${printable(d.reason)}${d.attempts ? ` after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` : ''}${error}`;
}

/** `events trace`: the tree, one event per line, with its other records (copies, dead letters) beneath it. */
export function traceText(trace: Trace, topicsRead: number): string[] {
  const lines = [`trace ${printable(trace.query)}: ${trace.events} event${trace.events === 1 ? '' : 's'}, ${trace.records} record${trace.records === 1 ? '' : 's'} (${topicsRead} topics read)`];
  const visit = (node: TraceNode, lead: string, childLead: string) => {
    const [first, ...others] = node.records;
    const head = [
      printable(node.id),
      dash(node.type),
      first.deadLetter ? `${recordPlace(first)} (${deadLetterNote(first)})` : recordPlace(first),
      dash(node.time),
    ];
    if (node.delayMs !== undefined) head.push(formatDelay(node.delayMs));
    lines.push(`${lead}${head.join('  ')}`);
    const detail = childLead + (node.children.length > 0 ? '│  ' : '   ');
    for (const r of others) lines.push(`${detail}${r.deadLetter ? `${recordPlace(r)}  ${deadLetterNote(r)}` : `also ${recordPlace(r)}  ${dash(r.time)}`}`);
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      visit(child, `${childLead}${last ? '└─ ' : '├─ '}`, `${childLead}${last ? '   ' : '│  '}`);
    });
  };
  for (const root of trace.roots) visit(root, '', '');
  return lines;
}

/** `events trace --json`. */
export function traceJson(trace: Trace, topicsRead: number, complete: boolean): string {
  return JSON.stringify({ ...trace, topicsRead, complete }, null, 2);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `dlq list`: id, when, reason, attempts, from which topic, the error shortened. */
export function dlqListText(letters: DeadLetter[]): string[] {
  return table(
    ['ID', 'TIME', 'REASON', 'ATTEMPTS', 'TOPIC', 'PARTITION/OFFSET', 'ERROR'],
    letters.map((d) => [
      dash(d.id),
      dash(d.time),
      dash(d.reason),
      String(d.attempts),
      dash(d.topic),
      `${d.partition}/${d.offset}`,
      d.error ? shorten(printable(d.error), 60) : '-',
    ]),
  );
}

function dataOf(value: Buffer | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value.toString()) as unknown;
  } catch {
    return value.toString();
  }
}

export function dlqJson(d: DeadLetter): string {
  return JSON.stringify({
    id: d.id ?? null,
    partition: d.partition,
    offset: d.offset,
    time: d.time ?? null,
    reason: d.reason,
    attempts: d.attempts,
    topic: d.topic,
    error: d.error ?? null,
    redrive: d.redrive,
    key: d.key === null ? null : d.key.toString(),
    headers: headersAsStrings(d.headers),
    data: dataOf(d.value),
  });
}

function scalar(v: unknown, missing: string): string {
  if (v === undefined || v === null) return missing;
  return printable(typeof v === 'string' ? v : JSON.stringify(v));
}

/** retry_history (a JSON list of {attempt, at, error}) as one line per attempt; the raw text if it does not parse. */
export function retryHistoryLines(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [printable(text)];
  }
  if (!Array.isArray(parsed)) return [printable(text)];
  if (parsed.length === 0) return ['(none)'];
  return parsed.map((h: unknown) => {
    const a = (typeof h === 'object' && h !== null ? h : {}) as { attempt?: unknown; at?: unknown; error?: unknown };
    return `attempt ${scalar(a.attempt, '?')} at ${scalar(a.at, '?')}: ${scalar(a.error, '')}`;
  });
}

/** `dlq show`: one dead-lettered copy in full. */
export function dlqShowText(d: DeadLetter, index: number, count: number, agent: string): string[] {
  const lines = [`dead letter ${index + 1} of ${count}: ${agent}.dlq partition ${d.partition} offset ${d.offset}`, 'headers:'];
  const headers = headersAsStrings(d.headers);
  const width = Math.max(...Object.keys(headers).map((k) => k.length), 0);
  for (const [name, value] of Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'retry_history' && value !== null) {
      lines.push(`  ${name}:`);
      for (const l of retryHistoryLines(value)) lines.push(`    ${l}`);
    } else {
      lines.push(`  ${printable(name).padEnd(width)}  ${value === null ? '(no value)' : printable(value)}`);
    }
  }
  lines.push(`key: ${d.key === null ? '(none)' : printable(d.key.toString())}`);
  lines.push('data:');
  const data = dataOf(d.value);
  const text = typeof data === 'string' ? printable(data) : JSON.stringify(data, null, 2);
  for (const l of text.split('\n')) lines.push(`  ${l}`);
  return lines;
}

/** `dlq redrive`: what was redriven (or would be), then what was not found. */
export function redriveText(report: RedriveReport, agent: string): string[] {
  const verb = report.dryRun ? 'would redrive' : 'redrove';
  const lines = report.redriven.map(
    (r) => `${verb} ${printable(r.id)} (redrive ${r.redrive}) to ${agent}.retry partition ${r.partition}, from ${agent}.dlq offset ${r.fromOffset}`,
  );
  for (const id of report.notFound) lines.push(`not found: ${printable(id)} is not on ${agent}.dlq`);
  const n = report.redriven.length;
  lines.push(
    `${report.dryRun ? 'dry run: ' : ''}${n} event${n === 1 ? '' : 's'} ${report.dryRun ? 'would be redriven' : 'redriven'}` +
      (report.notFound.length > 0 ? `, ${report.notFound.length} not found` : ''),
  );
  return lines;
}

/** A progress bar of `width` cells and the percentage: [########------------]  40% */
export function progressBar(done: number, total: number, width = 20): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

/** `replay`: a table of the partitions replayed, then one summary line. */
export function replayText(report: ReplayReport): string[] {
  const rows = report.partitions
    .filter((p) => BigInt(p.to) > BigInt(p.from))
    .sort((a, b) => a.partition - b.partition)
    .map((p) => [String(p.partition), p.from, p.to, String(p.replayed)]);
  const lines = rows.length > 0 ? table(['partition', 'from offset', 'to offset', report.dryRun ? 'would replay' : 'replayed'], rows) : [];
  const n = report.replayed;
  const target = report.shadowPrefix !== undefined ? `the shadow of ${report.agent} (prefix ${report.shadowPrefix})` : report.agent;
  lines.push(
    `${report.dryRun ? 'dry run: ' : ''}${n} record${n === 1 ? '' : 's'} of ${report.topic} from ${report.since} to ${report.until ?? 'its end'} ` +
      `${report.dryRun ? 'would be replayed' : 'replayed'} into ${target} through ${report.into}` +
      (report.read !== n ? ` (${report.read} read)` : ''),
  );
  if (!report.dryRun && n > 0 && report.shadowPrefix === undefined) lines.push(`${report.agent} skips the events its dedup window already saw`);
  return lines;
}
