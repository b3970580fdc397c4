import type { Trace, TraceNode } from '@app/kafka';
import { formatMs, html, page, shortTime } from './html';

interface Row {
  node: TraceNode;
  depth: number;
}

function flatten(nodes: TraceNode[], depth = 0, out: Row[] = []): Row[] {
  for (const node of nodes) {
    out.push({ node, depth });
    flatten(node.children, depth + 1, out);
  }
  return out;
}

/** The trace as a timeline: one row per event, indented by cause, a dot at its time since the first event. */
export function tracePage(trace: Trace & { complete: boolean }): string {
  const rows = flatten(trace.roots);
  const times = rows.map((r) => Date.parse(r.node.time)).filter((t) => !Number.isNaN(t));
  const t0 = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - t0);
  const at = (n: TraceNode) => {
    const t = Date.parse(n.time);
    return Number.isNaN(t) ? 0 : ((t - t0) / span) * 100;
  };
  const line = ({ node, depth }: Row) => {
    const dead = node.records.filter((r) => r.deadLetter);
    const own = node.records.filter((r) => !r.deadLetter);
    const left = at(node);
    return html`<div class="row" data-event-id="${node.id}" data-depth="${depth}">
<div class="what" style="padding-left:${depth * 22}px">
<span>${depth > 0 ? html`<span class="hop" title="delay after its cause">↳ +${formatMs(node.delayMs)}</span> ` : ''}<b>${node.type ?? '(no type)'}</b>
${dead.length > 0 ? html` <span class="badge bad">dead-lettered by ${dead.map((d) => d.deadLetter?.agent).join(', ')}</span>` : ''}</span>
<span class="mono"><a href="/trace/${encodeURIComponent(node.id)}">${node.id}</a></span>
<span class="mono muted">${own.map((r) => `${r.topic}/${r.partition}@${r.offset}`).join(', ')}${dead.map((r) => html` · <span title="${r.deadLetter?.error ?? ''}">${r.topic}@${r.offset}: ${r.deadLetter?.reason ?? ''}</span>`)}</span>
<span class="muted">${shortTime(node.time)}${node.subject ? html` · subject <code>${node.subject}</code>` : ''}</span>
<span class="mono muted" style="white-space:nowrap;overflow:hidden;text-overflow:ellipsis">${node.preview}</span></div>
<div><div class="track"><span class="dot ${dead.length > 0 ? 'dead' : ''}" style="left:${left.toFixed(2)}%"></span>
<span class="tick" style="left:${Math.min(left, 85).toFixed(2)}%;margin-left:10px">+${formatMs(Date.parse(node.time) - t0)}</span></div></div></div>`;
  };
  const body = html`<h1>Trace of <code>${trace.query}</code></h1>
${trace.complete ? '' : html`<p class="note warn">The read stopped at its deadline before the end of every partition: the trace may be partial.</p>`}
<p class="muted">${trace.events} event${trace.events === 1 ? '' : 's'} in ${trace.records} record${trace.records === 1 ? '' : 's'}, over ${formatMs(span === 1 && times.length < 2 ? 0 : span)}; follow-ups are found through <code>ce_causationid</code>, each with its delay after its cause.</p>
<div class="timeline" id="timeline">${rows.map(line)}</div>`;
  return page(`Trace ${trace.query}`, 'trace', body);
}
