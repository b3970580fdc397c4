import type { AgentDetail, AgentSummary, DeadLetterView } from '../console-reader';
import type { AgentHealth } from '../health-probe';
import { html, page, shortTime } from './html';

function healthBadge(h: AgentHealth) {
  const cls = h.status === 'ok' ? 'ok' : h.status === 'starting' || h.status === 'reconnecting' || h.status === 'unknown' ? 'warn' : 'bad';
  return html`<span class="badge ${cls}" title="${h.detail ?? ''}">${h.status}</span>${h.detail ? html` <span class="muted">${h.detail}</span>` : ''}`;
}

export function agentsPage(agents: AgentSummary[]): string {
  const card = (a: AgentSummary) => html`<div class="card" data-agent="${a.name}"><h2><a href="/agents/${a.name}">${a.name}</a></h2>
<div>health ${healthBadge(a.health)}</div>
<div>lag <b>${a.lag}</b> <span class="muted">offsets behind</span></div>
<div>dead letters <b>${a.deadLetters}</b></div>
<div class="muted mono">${a.healthUrl ? `${a.healthUrl}/health` : 'no health URL'}</div></div>`;
  return page('Agents', 'agents', html`<h1>Agents</h1><div class="cards">${agents.map(card)}</div>`);
}

export interface AgentPageNotice {
  redriven?: string[];
}

function letterRow(agent: string, d: DeadLetterView) {
  return html`<tr data-dead-letter="${d.id ?? ''}">
<td>${d.id ? html`<form method="post" action="/agents/${agent}/redrive"><input type="hidden" name="id" value="${d.id}"><button type="submit" data-redrive="${d.id}">Redrive</button></form>` : ''}</td>
<td class="mono">${shortTime(d.time)}</td>
<td class="mono wrap">${d.id ? html`<a href="/trace/${encodeURIComponent(d.id)}">${d.id}</a>` : '(not a CloudEvent)'}</td>
<td>${d.type ?? ''}</td>
<td class="mono">${d.fromTopic}</td>
<td style="max-width:320px">${d.reason}${d.error ? html`<div class="muted">${d.error}</div>` : ''}</td>
<td>${d.attempts}</td><td>${d.redrive > 0 ? `#${d.redrive}` : ''}</td>
<td class="mono">${agent}.dlq/${d.partition}@${d.offset}</td>
<td class="preview mono" title="${d.preview}">${d.preview}</td>
</tr>`;
}

export function agentPage(a: AgentDetail, notice: AgentPageNotice = {}): string {
  const body = html`<h1>${a.name}</h1>
${notice.redriven && notice.redriven.length > 0 ? html`<p class="note" id="redriven">Redriven: <code>${notice.redriven.join(', ')}</code>. The agent processes ${notice.redriven.length === 1 ? 'it' : 'them'} once more; the trace shows the outcome (follow-ups, or another dead-lettered copy).</p>` : ''}
<div class="cards"><div class="card"><h2>Health</h2>${healthBadge(a.health)}${a.health.httpStatus ? html` <span class="muted">HTTP ${a.health.httpStatus}</span>` : ''}
<div class="muted mono">${a.healthUrl ? `${a.healthUrl}/health` : 'no health URL (CONSOLE_AGENTS)'}</div></div>
<div class="card"><h2>Consumer lag: ${a.lag}</h2><table><thead><tr><th>topic/partition</th><th>committed</th><th>end</th><th>lag</th></tr></thead><tbody>
${a.lagByPartition.length > 0 ? a.lagByPartition.map((p) => html`<tr><td class="mono">${p.topic}/${p.partition}</td><td>${p.committed}</td><td>${p.end}</td><td>${p.lag}</td></tr>`) : html`<tr><td colspan="4" class="muted">The group has committed no offset yet.</td></tr>`}
</tbody></table></div></div>
<h2>Dead letters (${a.deadLetters})</h2>
${a.deadLetterRecords.length > 0 ? html`<form method="post" action="/agents/${a.name}/redrive" style="margin-bottom:8px"><input type="hidden" name="all" value="1"><button class="secondary" type="submit">Redrive all</button></form>` : ''}
<table id="dead-letters"><thead><tr><th></th><th>dead-lettered</th><th>id</th><th>type</th><th>read from</th><th>reason</th><th>attempts</th><th>redrive</th><th>record</th><th>data</th></tr></thead>
<tbody>${a.deadLetterRecords.length > 0 ? a.deadLetterRecords.map((d) => letterRow(a.name, d)) : html`<tr><td colspan="10" class="muted">No dead letters.</td></tr>`}</tbody></table>`;
  return page(a.name, 'agents', body);
}
